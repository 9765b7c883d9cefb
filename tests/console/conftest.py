"""The embedded stack with the web console, on free ports and a database of its own (as tests/e2e does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tuneline.cli import stack as stack_mod
from tuneline.common.infra import free_port_block
from tuneline.common.testing.leaks import find_leaks

ROOT = Path(__file__).resolve().parents[2]
#: The services the browser tests walk through so far.
SERVICES = ("intake", "data", "training", "evaluation", "registry", "monitoring")
FAST_ENV = {
    "TUNELINE_ENVIRONMENT": "test",
    "TUNELINE_KAFKA_SESSION_TIMEOUT_MS": "2000",
    "TUNELINE_KAFKA_FETCH_MAX_WAIT_MS": "10",
    "TUNELINE_OUTBOX_POLL_INTERVAL_S": "0.2",
    # E-mail addresses and phone numbers (what the tests plant) without loading spaCy: minutes saved on 2 cores.
    "TUNELINE_PII_ENGINE": "regex",
    # The registry's screens without Ray: nothing is deployed in this tier, and Ray would cost ~1 GB and seconds.
    "TUNELINE_SERVING_BACKEND": "none",
}


#: What 02-datasets.spec.ts plants in its records (every tenth: jane.doe{i}@plant.example, +1 415 555 01{i}).
PLANTED_CONTACTS = [f"jane.doe{i}@plant.example" for i in range(0, 60, 10)] + [
    f"+1 415 555 01{i:02d}" for i in range(0, 60, 10)
]


@pytest.fixture
def start_console_stack(
    fresh_database_url: str, fresh_kafka_bootstrap: str, tmp_path: Path
) -> Iterator[stack_mod.Stack]:
    config = stack_mod.StackConfig(
        data_dir=tmp_path / "stack",
        base_port=free_port_block(len(stack_mod.SERVICES)),
        serving_port=free_port_block(1),
        database_url=fresh_database_url,
        kafka_bootstrap=fresh_kafka_bootstrap,
        services=SERVICES,
        workers=False,
        ready_timeout_s=120,
        extra_env=FAST_ENV,
        console_port=free_port_block(1),
        console_dir=ROOT / "console" / "dist",
    )
    problems = stack_mod.preflight(config)
    assert not problems, problems
    stack = stack_mod.start(config, lambda _: None)
    try:
        yield stack
    finally:
        stack_mod.stop(stack, lambda _: None)
    # The tier's planted contacts (02-datasets.spec.ts) never reach a log line or a dead letter.
    leaks = find_leaks(config.logs, fresh_database_url, planted=PLANTED_CONTACTS)
    assert not leaks, "\n".join(map(str, leaks))
