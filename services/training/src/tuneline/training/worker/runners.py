"""Where a job's recipe runs: a local subprocess, or a Ray task (local Ray or a cluster).

Both give the worker loop the same handle: an async stream of the executor's messages, cancel/pause
requests, and the way it ended (exit code and the tail of its error output).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

import structlog

from tuneline.training.worker.execute import MESSAGE_PREFIX, ExecutionSpec

log = structlog.get_logger(__name__)


class RunHandle(Protocol):
    def messages(self) -> AsyncIterator[dict[str, Any]]: ...
    def request(self, action: str) -> None: ...
    def kill(self) -> None: ...
    async def outcome(self) -> tuple[int, str]: ...


class Runner(Protocol):
    name: str

    async def start(self, spec: ExecutionSpec) -> RunHandle: ...


# ----------------------------------------------------------------------------------------------- subprocess


class SubprocessRunner:
    name = "subprocess"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = env

    async def start(self, spec: ExecutionSpec) -> RunHandle:
        spec_path = await asyncio.to_thread(_write_spec, spec)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tuneline.training.worker.execute",
            str(spec_path),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **(self.env or {}), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"},
        )
        return _ProcessHandle(process)


def _write_spec(spec: ExecutionSpec) -> Path:
    workdir = Path(spec.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    spec_path = workdir / "spec.json"
    # the spec holds object-store credentials: readable by this user only
    spec_path.touch(mode=0o600)
    spec_path.write_text(json.dumps(asdict(spec)))
    return spec_path


class _ProcessHandle:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._stderr_task = asyncio.create_task(self._drain_stderr())

    async def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            if line:
                self.stderr_tail.append(line[-500:])

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode(errors="replace")
            if line.startswith(MESSAGE_PREFIX):
                yield json.loads(line[len(MESSAGE_PREFIX) :])

    def request(self, action: str) -> None:
        if self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGUSR1 if action == "pause" else signal.SIGTERM)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    async def outcome(self) -> tuple[int, str]:
        code = await self.process.wait()
        await self._stderr_task
        errors = [line for line in self.stderr_tail if "Error" in line or "error" in line]
        return code, (errors[-1] if errors else (self.stderr_tail[-1] if self.stderr_tail else ""))


# ----------------------------------------------------------------------------------------------- Ray


class RayRunner:
    """Runs the executor as a Ray task; messages come back through a Ray queue, requests go through an actor."""

    name = "ray"

    def __init__(self, address: str | None, num_cpus: float = 1.0, num_gpus: float = 0.0) -> None:
        import ray

        if not ray.is_initialized():
            # "local" starts a private instance: address=None would attach to any Ray already running on the
            # machine (another service's). Ray's default worker niceness (15) would starve training here.
            os.environ.setdefault("RAY_worker_niceness", "0")
            ray.init(address=address or "local", include_dashboard=False, log_to_driver=False)
        self.ray = ray
        self.num_cpus, self.num_gpus = num_cpus, num_gpus

    async def start(self, spec: ExecutionSpec) -> RunHandle:
        from ray.util.queue import Queue

        ray = self.ray
        queue = Queue()
        control = ray.remote(_Control).options(num_cpus=0).remote()
        task = ray.remote(_ray_execute).options(num_cpus=self.num_cpus, num_gpus=self.num_gpus, max_retries=0)
        ref = task.remote(asdict(spec), queue, control)
        return _RayHandle(ray, ref, queue, control)


class _Control:
    def __init__(self) -> None:
        self.requested: str | None = None

    def set(self, action: str) -> None:
        self.requested = action

    def get(self) -> str | None:
        return self.requested


def _ray_execute(spec: dict[str, Any], queue: Any, control: Any) -> None:
    import time

    import ray

    from tuneline.training.worker.execute import execute

    state = {"checked": 0.0, "value": None}

    def poll() -> str | None:
        # asking the actor every step would add a round trip per step; once a second is prompt enough
        now = time.monotonic()
        if now - state["checked"] >= 1.0:  # type: ignore[operator]
            state["checked"] = now
            state["value"] = ray.get(control.get.remote())
        return state["value"]  # type: ignore[return-value]

    try:
        execute(ExecutionSpec(**spec), queue.put, poll)
    finally:
        queue.put({"type": "_done"})


class _RayHandle:
    def __init__(self, ray: Any, ref: Any, queue: Any, control: Any) -> None:
        self.ray, self.ref, self.queue, self.control = ray, ref, queue, control

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        from ray.util.queue import Empty

        while True:
            try:
                message = await asyncio.to_thread(self.queue.get, True, 1.0)
            except Empty:
                ready, _ = await asyncio.to_thread(self.ray.wait, [self.ref], timeout=0)
                if ready and self.queue.empty():
                    return
                continue
            if message.get("type") == "_done":
                return
            yield message

    def request(self, action: str) -> None:
        self.control.set.remote(action)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.ray.cancel(self.ref, force=True)

    async def outcome(self) -> tuple[int, str]:
        try:
            await asyncio.to_thread(self.ray.get, self.ref)
        except Exception as exc:  # the task's exception, re-raised by Ray with its cause
            cause = getattr(exc, "cause", None) or exc
            return 1, f"{type(cause).__name__}: {cause}"[-500:]
        finally:
            with contextlib.suppress(Exception):
                self.queue.shutdown()
            with contextlib.suppress(Exception):
                self.ray.kill(self.control)
        return 0, ""


def choose_runner(ray_address: str | None, ray_local: bool) -> Runner:
    """Ray when an address is configured (or local Ray is asked for), else subprocesses."""
    if ray_address or ray_local:
        return RayRunner(ray_address)
    return SubprocessRunner()
