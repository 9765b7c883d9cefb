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
import shutil
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import structlog

from tuneline.training.worker.execute import MESSAGE_PREFIX, ExecutionSpec

if TYPE_CHECKING:
    from tuneline.training.settings import TrainingSettings

log = structlog.get_logger(__name__)


#: Tries, and seconds each, for a job's queue and control actors to answer before its task is submitted.
HELPER_ATTEMPTS = 3
HELPER_READY_TIMEOUT_S = 120.0


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
    """Runs the executor as a Ray task; messages come back through a Ray queue, requests go through an actor.

    On a cluster the task may land on any node that has the resources it asks for (`resources` keeps it off the
    head: `{"tuneline_worker": 1}` with worker nodes started with `--resources`); it gets everything by URI from
    the object store and works in a scratch directory of its own node.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None,
        num_cpus: float = 1.0,
        num_gpus: float | Literal["auto"] = 0.0,
        resources: dict[str, float] | None = None,
    ) -> None:
        import ray

        if not ray.is_initialized():
            # "local" starts a private instance: address=None would attach to any Ray already running on the
            # machine (another service's). Ray's default worker niceness (15) would starve training here.
            os.environ.setdefault("RAY_worker_niceness", "0")
            ray.init(address=address or "local", include_dashboard=False, log_to_driver=False)
        self.ray = ray
        self.num_cpus = num_cpus
        # "auto": a GPU per job when the cluster has any (its GPU count, not this node's: the driver may have none)
        self.num_gpus = (
            (1.0 if ray.cluster_resources().get("GPU", 0.0) >= 1 else 0.0) if num_gpus == "auto" else num_gpus
        )
        self.resources = dict(resources or {})

    async def start(self, spec: ExecutionSpec) -> RunHandle:
        from ray.util.queue import Queue

        ray = self.ray
        queue, control = await self._helpers(Queue, spec.job_id)
        task = ray.remote(_ray_execute).options(
            num_cpus=self.num_cpus, num_gpus=self.num_gpus, resources=self.resources or None, max_retries=0
        )
        ref = task.remote(asdict(spec), queue, control)
        return _RayHandle(ray, ref, queue, control, spec.job_id)

    async def _helpers(self, queue_type: Any, job_id: str) -> tuple[Any, Any]:
        """The job's message queue and control actor, each answering before the task that uses them is submitted.

        They hold nothing and do no work: placed anywhere, reserving no CPU. An actor that dies before it ever ran
        (its creation cancelled, e.g. while a node of a busy cluster restarts its workers) would otherwise surface
        only at the first message, as a failed job: such a pair is dropped and created again, a few times.
        """
        ray = self.ray
        last: BaseException | None = None
        for attempt in range(1, HELPER_ATTEMPTS + 1):
            queue = queue_type(actor_options={"num_cpus": 0})
            control = ray.remote(_Control).options(num_cpus=0).remote()
            try:
                await asyncio.to_thread(
                    ray.get, [queue.actor.qsize.remote(), control.get.remote()], timeout=HELPER_READY_TIMEOUT_S
                )
                return queue, control
            except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError) as exc:
                last = exc
                log.warning("training.ray.helper_actors_failed", job_id=job_id, attempt=attempt, error=str(exc)[:300])
                for actor in (queue.actor, control):
                    with contextlib.suppress(Exception):
                        ray.kill(actor, no_restart=True)
        raise RuntimeError(f"the job's queue and control actors did not start after {HELPER_ATTEMPTS} tries: {last}")


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

    # The worker's job_workdir is a path on the worker's node: this node works in a scratch directory of its own.
    scratch = tempfile.mkdtemp(prefix=f"tuneline-job-{spec['job_id']}-")
    queue.put({"type": "_placed", "node_id": ray.get_runtime_context().get_node_id(), "pid": os.getpid()})
    try:
        execute(ExecutionSpec(**{**spec, "workdir": scratch}), queue.put, poll)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        queue.put({"type": "_done"})


class _RayHandle:
    def __init__(self, ray: Any, ref: Any, queue: Any, control: Any, job_id: str) -> None:
        self.ray, self.ref, self.queue, self.control, self.job_id = ray, ref, queue, control, job_id
        self.placement: dict[str, Any] = {}
        """Where the task runs once it started: the Ray node id and the pid of its worker process."""

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
            if message.get("type") == "_placed":
                self.placement = {"node_id": message["node_id"], "pid": message["pid"]}
                log.info("training.ray.task_placed", job_id=self.job_id, **self.placement)
                continue
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


def choose_runner(settings: TrainingSettings) -> Runner:
    """Ray when an address is configured (or local Ray is asked for), with the resources each job's task asks for;
    else subprocesses."""
    if settings.ray_address or settings.ray_local:
        return RayRunner(
            settings.ray_address,
            num_cpus=settings.training_ray_num_cpus,
            num_gpus=settings.training_ray_num_gpus,
            resources=settings.training_resources(),
        )
    return SubprocessRunner()
