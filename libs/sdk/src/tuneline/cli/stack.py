"""The embedded stack: PostgreSQL, Kafka (Tansu), a local object store and the six services, on one machine.

`tuneline up` starts what is not given from outside (a database URL, bootstrap servers or an S3 store turn the
matching embedded part off), then every service and worker as its own process, waits until each answers /readyz,
and supervises them until Ctrl-C or `tuneline down`, when everything stops in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tuneline.common.infra import (
    Broker,
    EmbeddedPostgres,
    InfraError,
    port_in_use,
    spawn,
    start_embedded_postgres,
    start_tansu,
    stop_process,
)

SERVICES: dict[str, int] = {
    "intake": 8101,
    "data": 8102,
    "training": 8103,
    "evaluation": 8104,
    "registry": 8105,
    "monitoring": 8106,
}
#: Long-running workers outside the request path: (name, module, owning service).
WORKERS: tuple[tuple[str, str, str], ...] = (
    ("training-worker", "tuneline.training.worker", "training"),
    ("evaluation-runner", "tuneline.evaluation.runner", "evaluation"),
)
DATABASE_NAME = "tuneline"


@dataclass
class StackConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    base_port: int = 8101
    kafka_port: int = 9092
    serving_port: int = 8000
    database_url: str | None = None
    kafka_bootstrap: str | None = None
    object_store_url: str | None = None
    services: tuple[str, ...] = tuple(SERVICES)
    workers: bool = True
    ready_timeout_s: float = 180.0
    extra_env: dict[str, str] = field(default_factory=dict)

    def port_of(self, service: str) -> int:
        return self.base_port + list(SERVICES).index(service)

    @property
    def state_file(self) -> Path:
        return self.data_dir / "stack.json"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"


@dataclass
class RunningProcess:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str | None = None


@dataclass
class Stack:
    config: StackConfig
    database_url: str = ""
    kafka_bootstrap: str = ""
    object_store_url: str = ""
    postgres: EmbeddedPostgres | None = None
    broker: Broker | None = None
    processes: list[RunningProcess] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUNELINE_")}
        env.update(
            {
                "TUNELINE_ENVIRONMENT": os.environ.get("TUNELINE_ENVIRONMENT", "development"),
                "TUNELINE_DATABASE_URL": self.database_url,
                "TUNELINE_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
                "TUNELINE_OBJECT_STORE_URL": self.object_store_url,
                "TUNELINE_HTTP_HOST": self.config.host,
                # The registry's Ray Serve HTTP proxy (inference /<model>/v1) and the URL clients reach it at.
                "TUNELINE_SERVE_HTTP_PORT": str(self.config.serving_port),
                "TUNELINE_SERVING_URL": f"http://{self.config.host}:{self.config.serving_port}",
                # Scratch space of workers and model servers stays inside the stack's data directory.
                "TUNELINE_JOB_WORKDIR": str((self.config.data_dir / "training").resolve()),
                "TUNELINE_ADAPTER_CACHE_DIR": str((self.config.data_dir / "adapters").resolve()),
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
                "PYTHONUNBUFFERED": "1",
            }
        )
        # Everything else the operator set for us (secrets, OTLP endpoint, S3 credentials...) passes through.
        env.update({k: v for k, v in os.environ.items() if k.startswith("TUNELINE_") and k not in env})
        env.update(self.config.extra_env)
        for service in self.config.services:
            env[f"TUNELINE_{service.upper()}_URL"] = f"http://{self.config.host}:{self.config.port_of(service)}"
        return env

    def describe(self) -> dict[str, Any]:
        return {
            "supervisor_pid": os.getpid(),
            "database_url": self.database_url,
            "kafka_bootstrap": self.kafka_bootstrap,
            "object_store_url": self.object_store_url,
            "processes": [
                {"name": p.name, "pid": p.process.pid, "url": p.url, "log": str(p.log)} for p in self.processes
            ],
        }


def runnable(module: str) -> bool:
    """`python -m module` would start: a module, or a package with a __main__."""
    try:
        spec = importlib.util.find_spec(module)
        if spec is None:
            return False
        return spec.submodule_search_locations is None or importlib.util.find_spec(f"{module}.__main__") is not None
    except ModuleNotFoundError:
        return False


def runnable_services() -> tuple[str, ...]:
    return tuple(s for s in SERVICES if runnable(f"tuneline.{s}"))


def preflight(config: StackConfig) -> list[str]:
    """Every problem that would stop `up`, found before anything starts."""
    problems = []
    for service in config.services:
        if service not in SERVICES:
            problems.append(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
            continue
        port = config.port_of(service)
        if port_in_use(port, config.host):
            problems.append(f"port {port} ({service}) is already in use — is another stack up? (`tuneline down`)")
        if importlib.util.find_spec(f"tuneline.{service}") is None:
            problems.append(f"service package tuneline-{service} is not installed (run `make setup`)")
        elif not runnable(f"tuneline.{service}"):
            problems.append(f"service {service} has no entry point yet (python -m tuneline.{service})")
    if config.kafka_bootstrap is None and port_in_use(config.kafka_port, config.host):
        problems.append(f"port {config.kafka_port} (Kafka broker) is already in use; pass --kafka-port or --kafka")
    if config.state_file.exists():
        pid = json.loads(config.state_file.read_text()).get("supervisor_pid")
        if pid and _alive(int(pid)):
            problems.append(f"a stack is already running from {config.data_dir} (pid {pid}); `tuneline down` first")
    return problems


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _ensure_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")


def start(config: StackConfig, say: Callable[[str], None]) -> Stack:
    stack = Stack(config)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    config.logs.mkdir(parents=True, exist_ok=True)
    try:
        if config.database_url:
            stack.database_url = config.database_url
        else:
            t = time.monotonic()
            stack.postgres = start_embedded_postgres(config.data_dir / "postgres")
            asyncio.run(_ensure_database(stack.postgres.url, DATABASE_NAME))
            stack.database_url = _with_database(stack.postgres.url, DATABASE_NAME)
            say(f"PostgreSQL (embedded) ready in {time.monotonic() - t:.1f}s")
        if config.kafka_bootstrap:
            stack.kafka_bootstrap = config.kafka_bootstrap
        else:
            t = time.monotonic()
            stack.broker = start_tansu(config.kafka_port, config.logs / "kafka.log", host=config.host)
            stack.kafka_bootstrap = stack.broker.bootstrap_servers
            say(f"Kafka broker (Tansu) ready on {stack.kafka_bootstrap} in {time.monotonic() - t:.1f}s")
        stack.object_store_url = config.object_store_url or (config.data_dir / "objects").resolve().as_uri()

        from tuneline.common.events import ALL_TOPICS
        from tuneline.common.messaging.broker import ensure_topics

        asyncio.run(ensure_topics(stack.kafka_bootstrap, ALL_TOPICS))
        env = stack.env()
        for service in config.services:
            port = config.port_of(service)
            svc_env = {**env, "TUNELINE_HTTP_PORT": str(port), "TUNELINE_SERVICE_NAME": service}
            log = config.logs / f"{service}.log"
            proc = spawn([sys.executable, "-m", f"tuneline.{service}"], log, env=svc_env)
            stack.processes.append(RunningProcess(service, proc, log, f"http://{config.host}:{port}"))
        _wait_ready(stack, say)
        if config.workers:
            for name, module, owner in WORKERS:
                if owner in config.services and runnable(module):
                    log = config.logs / f"{name}.log"
                    proc = spawn([sys.executable, "-m", module], log, env={**env, "TUNELINE_SERVICE_NAME": owner})
                    stack.processes.append(RunningProcess(name, proc, log))
        config.state_file.write_text(json.dumps(stack.describe(), indent=2))
        return stack
    except BaseException:
        stop(stack, say)
        raise


def _wait_ready(stack: Stack, say: Callable[[str], None]) -> None:
    deadline = time.monotonic() + stack.config.ready_timeout_s
    pending = {p.name: p for p in stack.processes if p.url}
    with httpx.Client(timeout=2) as client:
        while pending:
            for name, proc in list(pending.items()):
                if proc.process.poll() is not None:
                    tail = proc.log.read_text(errors="replace")[-2000:] if proc.log.exists() else ""
                    raise InfraError(f"{name} exited with code {proc.process.returncode}; last log lines:\n{tail}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{proc.url}/readyz").status_code == 200:
                        say(f"{name} ready at {proc.url}")
                        del pending[name]
            if time.monotonic() > deadline:
                raise InfraError(f"not ready within {stack.config.ready_timeout_s:.0f}s: {', '.join(pending)}")
            time.sleep(0.2)


def stop(stack: Stack, say: Callable[[str], None]) -> None:
    for proc in reversed(stack.processes):
        stop_process(proc.process, timeout_s=15)
        say(f"stopped {proc.name}")
    stack.processes.clear()
    if stack.broker is not None:
        stack.broker.stop()
        say("stopped Kafka broker")
        stack.broker = None
    if stack.postgres is not None:
        stack.postgres.stop()
        say("stopped PostgreSQL")
        stack.postgres = None
    with contextlib.suppress(FileNotFoundError):
        stack.config.state_file.unlink()


def supervise(stack: Stack, say: Callable[[str], None]) -> int:
    """Block until Ctrl-C / SIGTERM or until a service dies; returns the exit code."""
    stopping = {"flag": False}

    def on_signal(signum: int, _: Any) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stopping["flag"]:
        for proc in stack.processes:
            if proc.process.poll() is not None:
                say(f"{proc.name} exited with code {proc.process.returncode}; see {proc.log}")
                return 1
        time.sleep(0.5)
    return 0


def down(data_dir: Path, timeout_s: float = 60) -> bool:
    """Ask the supervisor of the stack in `data_dir` to stop; True once it has."""
    state_file = data_dir / "stack.json"
    if not state_file.exists():
        return False
    pid = int(json.loads(state_file.read_text())["supervisor_pid"])
    if not _alive(pid):
        state_file.unlink()
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _alive(pid)
