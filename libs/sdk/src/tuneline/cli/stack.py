"""The embedded stack: PostgreSQL, Kafka (Tansu), a local object store and the six services, on one machine.

`tuneline up` starts what is not given from outside (a database URL, bootstrap servers or an S3 store turn the
matching embedded part off), then every service and worker as its own process, waits until each answers /readyz,
and supervises them (`stack_supervisor`: restart with backoff, crash loops reported) until Ctrl-C or
`tuneline down`, when everything stops in reverse order, each process with its whole tree (Ray's agents included).

The data directory is every process's state directory: unless the operator sets TUNELINE_JWT_SECRET, the token
signing secret is generated there once (``jwt-secret``, mode 0600) and shared by the services, `tuneline token`
and the demo; there is no built-in secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tuneline.cli.stack_supervisor import RestartPolicy, RunningProcess, Supervisor
from tuneline.common.infra import (
    Broker,
    EmbeddedPostgres,
    InfraError,
    port_in_use,
    start_embedded_postgres,
    start_tansu,
)
from tuneline.common.settings import ConfigurationError, ServiceSettings, load_settings

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
    #: The web console's port (None: not served) and its build (console/dist, made by `make setup`).
    console_port: int | None = None
    console_dir: Path = Path("console/dist")
    extra_env: dict[str, str] = field(default_factory=dict)

    def port_of(self, service: str) -> int:
        return self.base_port + list(SERVICES).index(service)

    @property
    def console_origins(self) -> list[str]:
        return [f"http://{h}:{self.console_port}" for h in dict.fromkeys((self.host, "127.0.0.1", "localhost"))]

    @property
    def state_file(self) -> Path:
        return self.data_dir / "stack.json"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"


@dataclass
class Stack:
    config: StackConfig
    database_url: str = ""
    kafka_bootstrap: str = ""
    object_store_url: str = ""
    postgres: EmbeddedPostgres | None = None
    broker: Broker | None = None
    supervisor: Supervisor | None = None

    @property
    def processes(self) -> list[RunningProcess]:
        return self.supervisor.processes if self.supervisor is not None else []

    def write_state(self) -> None:
        tmp = self.config.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.describe(), indent=2))
        tmp.replace(self.config.state_file)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUNELINE_")}
        env.update(
            {
                "TUNELINE_ENVIRONMENT": os.environ.get("TUNELINE_ENVIRONMENT", "development"),
                "TUNELINE_DATABASE_URL": self.database_url,
                "TUNELINE_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
                "TUNELINE_OBJECT_STORE_URL": self.object_store_url,
                "TUNELINE_HTTP_HOST": self.config.host,
                # Where a generated signing secret lives (when the operator sets no TUNELINE_JWT_SECRET).
                "TUNELINE_STATE_DIR": str(self.config.data_dir.resolve()),
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
        if self.config.console_port is not None and "TUNELINE_CORS_ORIGINS" not in env:
            env["TUNELINE_CORS_ORIGINS"] = json.dumps(self.config.console_origins)
        env.update(self.config.extra_env)
        for service in self.config.services:
            env[f"TUNELINE_{service.upper()}_URL"] = f"http://{self.config.host}:{self.config.port_of(service)}"
        return env

    def token_settings(self) -> ServiceSettings:
        """Settings that mint tokens this stack's services accept: their environment, issuer and signing secret
        (the operator's TUNELINE_JWT_SECRET, else the one generated in the data directory)."""
        env = self.env()
        values: dict[str, object] = {
            "environment": env["TUNELINE_ENVIRONMENT"],
            "http_host": env["TUNELINE_HTTP_HOST"],
            "state_dir": env["TUNELINE_STATE_DIR"],
        }
        for name in ("jwt_secret", "jwt_issuer", "jwt_audience"):
            if f"TUNELINE_{name.upper()}" in env:
                values[name] = env[f"TUNELINE_{name.upper()}"]
        return load_settings(ServiceSettings, **values)

    def describe(self) -> dict[str, Any]:
        return {
            "supervisor_pid": os.getpid(),
            "database_url": self.database_url,
            "kafka_bootstrap": self.kafka_bootstrap,
            "object_store_url": self.object_store_url,
            "processes": [p.describe() for p in self.processes],
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
    if config.console_port is not None and port_in_use(config.console_port, config.host):
        problems.append(f"port {config.console_port} (web console) is already in use; pass --console-port")
    if config.state_file.exists():
        pid = json.loads(config.state_file.read_text()).get("supervisor_pid")
        if pid and _alive(int(pid)):
            problems.append(f"a stack is already running from {config.data_dir} (pid {pid}); `tuneline down` first")
    return problems


def _alive(pid: int) -> bool:
    """The process runs (a zombie, exited but not yet reaped by its parent, does not)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:
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


def start(config: StackConfig, say: Callable[[str], None], policy: RestartPolicy | None = None) -> Stack:
    stack = Stack(config)
    stack.supervisor = Supervisor(say, policy=policy, logs=config.logs, on_change=stack.write_state)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    config.logs.mkdir(parents=True, exist_ok=True)
    try:
        # The signing secret is settled (generated or checked) once, before any service starts with it.
        stack.token_settings()
    except ConfigurationError as exc:
        raise InfraError(str(exc)) from exc
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
            argv = [sys.executable, "-m", f"tuneline.{service}"]
            stack.supervisor.launch(service, argv, svc_env, log, f"http://{config.host}:{port}")
        _wait_ready(stack, say)
        if config.workers:
            for name, module, owner in WORKERS:
                if owner in config.services and runnable(module):
                    log = config.logs / f"{name}.log"
                    argv = [sys.executable, "-m", module]
                    stack.supervisor.launch(name, argv, {**env, "TUNELINE_SERVICE_NAME": owner}, log)
        if config.console_port is not None:
            _start_console(stack, say)
        stack.write_state()
        return stack
    except BaseException:
        stop(stack, say)
        raise


def _start_console(stack: Stack, say: Callable[[str], None]) -> None:
    """The console's static files and the runtime config.json that tells it where each service is."""
    config = stack.config
    if not (config.console_dir / "index.html").is_file():
        say(f"web console not served: {config.console_dir} has no build (`make setup` builds it)")
        return
    runtime = config.data_dir / "console.json"
    environment = stack.env()["TUNELINE_ENVIRONMENT"]
    runtime.write_text(
        json.dumps(
            {
                "environment": environment,
                "services": {s: f"http://{config.host}:{config.port_of(s)}" for s in config.services},
                "signIn": {"mode": "oidc" if environment == "production" else "development"},
            }
        )
    )
    log = config.logs / "console.log"
    command = [sys.executable, "-m", "tuneline.cli.console_server", "--dir", str(config.console_dir)]
    command += ["--config", str(runtime), "--host", config.host, "--port", str(config.console_port)]
    url = f"http://{config.host}:{config.console_port}"
    if stack.supervisor is None:
        raise InfraError("the web console starts under the stack's supervisor: call it from start()")
    stack.supervisor.launch("console", command, stack.env(), log, url)
    with httpx.Client(timeout=2) as client:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{url}/config.json").status_code == 200:
                    say(f"web console at {url}")
                    return
            time.sleep(0.1)
    raise InfraError(f"the web console did not answer at {url}; see {log}")


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
    """Stop every process with its whole tree (reverse order), then the broker and PostgreSQL."""
    if stack.supervisor is not None:
        stack.supervisor.say = say
        stack.supervisor.stop_all(timeout_s=15)
        stack.supervisor.processes.clear()
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
    """Keep every process up (restart with backoff) until Ctrl-C / SIGTERM; returns the exit code.

    A crash-looping process is left stopped and reported; the exit code is then 1, but only when the stack stops.
    """
    assert stack.supervisor is not None, "start() the stack first"
    stopping = {"flag": False}

    def on_signal(signum: int, _: Any) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stack.supervisor.say = say
    while not stopping["flag"]:
        stack.supervisor.poll_once()
        time.sleep(0.5)
    return 1 if any(p.state == "crash-loop" for p in stack.processes) else 0


def status(data_dir: Path) -> dict[str, Any] | None:
    """The stack's state as its supervisor last wrote it (processes, states, restart counts), or None."""
    state_file = data_dir / "stack.json"
    if not state_file.exists():
        return None
    state: dict[str, Any] = json.loads(state_file.read_text())
    state["supervisor_alive"] = _alive(int(state["supervisor_pid"]))
    return state


def down(data_dir: Path, timeout_s: float = 60) -> bool:
    """Ask the supervisor of the stack in `data_dir` to stop; True once it has.

    When the supervisor itself is gone (killed hard), the processes it listed are stopped here, with their trees.
    """
    state_file = data_dir / "stack.json"
    if not state_file.exists():
        return False
    state = json.loads(state_file.read_text())
    pid = int(state["supervisor_pid"])
    if not _alive(pid):
        _stop_orphaned(state.get("processes", []))
        state_file.unlink()
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _alive(pid)


def _stop_orphaned(processes: list[dict[str, Any]]) -> None:
    import psutil

    tree: list[psutil.Process] = []
    for entry in processes:
        with contextlib.suppress(psutil.Error, KeyError, ValueError):
            proc = psutil.Process(int(entry["pid"]))
            if "tuneline" in " ".join(proc.cmdline()):  # the pid may have been reused by something else
                tree += [proc, *proc.children(recursive=True)]
    for p in tree:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(tree, timeout=10)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
