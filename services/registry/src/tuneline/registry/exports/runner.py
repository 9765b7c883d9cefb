"""The export runner: a lifespan task of each registry process that builds queued exports, one process each.

Loop: re-queue exports whose runner vanished, claim the oldest queued one (FOR UPDATE SKIP LOCKED, so registry
replicas share the queue), fetch its base model and adapter as serving resolves them, run the recipe in the loop's
export process (spawned once and kept warm: importing torch costs more than a small model's export) while stamping
the export alive, upload what it wrote under the export's prefix (each file's sha256 checked against the recipe's),
record the outcome. Torch runs only in that process: the API's event loop never waits on it, and a crash or an
out-of-memory kill fails one export (the next one gets a new process).

Restarts: a graceful stop kills the export processes and puts their exports back in the queue at once; after a
crash the stamps stop and any runner re-queues it after TUNELINE_EXPORT_STALE_AFTER_S, or fails it with the reason
after TUNELINE_EXPORT_MAX_ATTEMPTS starts. An export erased while it runs (dataset.erased) is stopped at the next stamp
and whatever it uploaded is deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import shutil
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import structlog

from tuneline.common import erasure
from tuneline.common.auth import audit
from tuneline.common.db import SessionFactory, transaction
from tuneline.common.errors import DomainError
from tuneline.common.events import utcnow
from tuneline.common.records import PromptTemplate
from tuneline.common.redact import redact_paths
from tuneline.common.storage import ObjectStore, StorageError
from tuneline.common.waiting import WorkListener, announce_work, wait_any
from tuneline.registry.deployments.artifacts import local_adapter_dir, local_base_model_dir
from tuneline.registry.exports import repository as repo
from tuneline.registry.exports import service
from tuneline.registry.exports.recipe import ExportJob, job_json, serve
from tuneline.registry.exports.verify import SAMPLE_INPUTS
from tuneline.registry.models import repository as models_repo
from tuneline.registry.settings import RegistrySettings

log = structlog.get_logger(__name__)


class ExportRunner:
    def __init__(
        self, settings: RegistrySettings, sessions: SessionFactory, store: ObjectStore, name: str | None = None
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid4().hex[:6]}"
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._processes: list[ExportProcess] = []
        self._children: dict[UUID, ExportProcess] = {}  # the process building each export

    def start(self) -> None:
        """`export_workers` loops, each building one export at a time (none: this process only queues)."""
        loop = asyncio.get_running_loop()
        for i in range(self.settings.export_workers):
            self._tasks.append(loop.create_task(self._run(), name=f"registry-export-runner-{i}"))

    async def stop(self) -> None:
        """Stop the children and the loops; the exports they were building go back to the queue."""
        self._stop.set()
        running = list(self._children)
        for process in self._processes:
            process.kill()
        self._processes.clear()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if running:
            await self._give_back(running)

    async def _run(self) -> None:
        log.info("registry.export.runner_started", worker=self.name)
        process = ExportProcess()
        self._processes.append(process)
        async with WorkListener(self.settings.database_url, self.settings.db_schema) as work:
            while not self._stop.is_set():
                work.wake.clear()  # an export queued during the tick wakes the next wait at once
                try:
                    if await self.tick(process):
                        continue
                except Exception as exc:  # the database itself: log and keep the loop alive
                    log.error("registry.export.runner_error", error=f"{type(exc).__name__}: {exc}")
                await wait_any([self._stop, work.wake], self.settings.export_poll_interval_s)

    async def tick(self, process: ExportProcess) -> bool:
        """Re-queue lost exports, then build one queued export in `process`; False when the queue was empty."""
        await self.reap()
        export_id = await self.claim()
        if export_id is None:
            return False
        await self.execute(export_id, process)
        return True

    async def reap(self) -> None:
        older_than = timedelta(seconds=self.settings.export_stale_after_s)
        async with transaction(self.sessions) as session:
            for export in await repo.stale(session, older_than):
                outcome = await service.recover_lost(
                    session, export, self.settings.export_max_attempts, self.settings.service_name
                )
                log.warning("registry.export.runner_lost", export_id=str(export.id), outcome=outcome)

    async def claim(self) -> UUID | None:
        async with transaction(self.sessions) as session:
            export = await repo.claim_next(session, self.name)
            if export is None:
                return None
            log.info("registry.export.claimed", export_id=str(export.id), worker=self.name, attempt=export.attempts)
            return export.id

    async def execute(self, export_id: UUID, process: ExportProcess) -> None:
        workdir = Path(_absolute(self.settings.export_workdir)) / str(export_id) / uuid4().hex[:8]
        heartbeat = asyncio.create_task(self._heartbeat(export_id))
        try:
            job = await self._job(export_id, workdir)
            result = await self._run_child(export_id, job, process)
            if "error" not in result:
                await self._upload(export_id, Path(job.out_dir), result)
        except (DomainError, StorageError) as exc:  # the base model or adapter cannot be had, the store refused
            result = {"error": redact_paths(str(exc))}
        except Exception as exc:
            log.exception("registry.export.error", export_id=str(export_id))
            result = {"error": redact_paths(f"{type(exc).__name__}: {exc}")}
        finally:
            heartbeat.cancel()
            await asyncio.to_thread(shutil.rmtree, workdir.parent, True)
        await self._conclude(export_id, result)

    async def _job(self, export_id: UUID, workdir: Path) -> ExportJob:
        async with transaction(self.sessions) as session:
            export = await repo.get(session, export_id)
            assert export is not None, "claimed exports exist"
            version = await models_repo.get_version(session, export.version_id)
            model = await models_repo.get_model_by_id(session, export.model_id)
            assert version is not None and model is not None, "exports belong to versions"
            fmt, quantization = export.format, export.quantization
            base_model, adapter_uri, template = version.base_model, version.adapter_uri, version.prompt_template
            name = f"{model.name}-v{version.version}"
        if adapter_uri is None:
            raise DomainError("the version has no adapter")
        s = self.settings
        base_dir = await local_base_model_dir(
            base_model, s.base_model_map(), s.model_cache_dir, self.store, s.adapter_cache_dir
        )
        adapter_dir = await local_adapter_dir(adapter_uri, self.store, s.adapter_cache_dir)
        prompts = list(SAMPLE_INPUTS)
        if template is not None:  # the version answers inputs wrapped in its use case's template
            prompts = [PromptTemplate.model_validate(template).render(text) for text in prompts]
        return ExportJob(
            export_id=str(export_id),
            format=fmt,
            quantization=quantization,
            base_model_dir=_absolute(base_dir),
            adapter_dir=_absolute(adapter_dir),
            out_dir=str(workdir / "out"),
            scratch_dir=str(workdir / "scratch"),
            name=name,
            prompts=prompts,
            max_new_tokens=s.export_verify_max_new_tokens,
            torch_threads=s.export_torch_threads,
        )

    async def _run_child(self, export_id: UUID, job: ExportJob, process: ExportProcess) -> dict[str, Any]:
        started = utcnow()
        self._children[export_id] = process
        try:
            result = await process.run(job, self.settings.export_timeout_s)
        finally:
            self._children.pop(export_id, None)
        log.info("registry.export.process_done", export_id=str(export_id), seconds=_since(started))
        if "error" in result:  # the reason is shown to people: no paths of this machine in it
            result["error"] = redact_paths(result["error"])
        return result

    async def _upload(self, export_id: UUID, out: Path, result: dict[str, Any]) -> None:
        async with transaction(self.sessions) as session:
            export = await repo.get(session, export_id)
            assert export is not None
            prefix = export.prefix.rstrip("/")
        await erasure.delete_prefix(self.store, prefix + "/")  # an earlier attempt's leftovers
        for entry in result["files"]:
            with (out / entry["path"]).open("rb") as fh:
                info = await self.store.put(f"{prefix}/{entry['path']}", fh)
            if info.sha256 != entry["sha256"] or info.size != entry["size"]:
                raise StorageError(f"export file {entry['path']} changed between writing and storing it")

    async def _conclude(self, export_id: UUID, result: dict[str, Any]) -> None:
        async with transaction(self.sessions) as session:
            export = await repo.get(session, export_id, lock=True)
            if export is None or export.status != "running" or export.worker != self.name:
                if export is not None and export.status == "erased":  # erased while it ran: nothing may remain
                    await erasure.delete_prefix(self.store, export.prefix.rstrip("/") + "/")
                log.warning("registry.export.superseded", export_id=str(export_id), worker=self.name)
                return
            if "error" in result:
                service.finish(export, "failed", result["error"], result.get("verification"))
            else:
                service.complete(export, result)
            await audit(
                session,
                self.settings.service_name,
                f"model.export_{export.status}",
                "model_export",
                export.id,
                format=export.format,
                quantization=export.quantization,
                reason=export.reason,
            )
            log.info("registry.export.finished", export_id=str(export_id), status=export.status, reason=export.reason)

    async def _heartbeat(self, export_id: UUID) -> None:
        while True:
            await asyncio.sleep(self.settings.export_heartbeat_interval_s)
            async with transaction(self.sessions) as session:
                owned = await repo.heartbeat(session, export_id, self.name)
            if not owned:  # erased, or taken over after missed stamps: stop building it
                log.warning("registry.export.lost_ownership", export_id=str(export_id))
                process = self._children.get(export_id)
                if process is not None:
                    process.kill()
                return

    async def _give_back(self, export_ids: list[UUID]) -> None:
        """A graceful stop: the exports this runner was building are queued again for the next runner."""
        with contextlib.suppress(Exception):  # the database may be gone too; then the stale stamps tell
            async with transaction(self.sessions) as session:
                for export_id in export_ids:
                    export = await repo.get(session, export_id, lock=True)
                    if export is not None and export.status == "running" and export.worker == self.name:
                        export.status, export.worker, export.heartbeat_at = "queued", None, None
                        export.attempts = max(0, export.attempts - 1)  # not the export's fault
                        export.updated_at = utcnow()
                        log.info("registry.export.given_back", export_id=str(export_id))
                await announce_work(session)


class ExportProcess:
    """One warm `spawn` process that builds exports one after another (torch and transformers are imported once,
    which costs more than building a small model's export). It is started on first use, and again after it died
    or was killed (timeout, export erased, stop)."""

    def __init__(self) -> None:
        self._process: Any = None
        self._connection: Any = None

    def _ensure(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        context = multiprocessing.get_context("spawn")  # the registry runs threads and an event loop: no fork
        parent, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child,), name="tuneline-export", daemon=True)
        self._process.start()
        child.close()
        self._connection = parent

    async def run(self, job: ExportJob, timeout_s: float) -> dict[str, Any]:
        await asyncio.to_thread(self._ensure)
        connection, process = self._connection, self._process
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.to_thread(connection.send, job_json(job))
                payload = await asyncio.to_thread(connection.recv)
        except TimeoutError:
            self.kill()
            return {"error": f"the export process ran longer than {timeout_s:g} s and was stopped"}
        except (EOFError, OSError):
            await asyncio.to_thread(process.join, 5)
            self.kill()
            code = process.exitcode
            how = f"was killed by signal {-code} (out of memory?)" if code and code < 0 else f"exited ({code})"
            return {"error": f"the export process {how} before it answered"}
        except BaseException:  # cancelled: the registry stops, the child must not run on
            self.kill()
            raise
        result: dict[str, Any] = json.loads(payload)
        return result

    def kill(self) -> None:
        """Stop the process now (a reader blocked on its pipe gets EOFError); the next run starts a new one."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        self._process = None


def _absolute(path: str) -> str:
    """The child runs with its own working directory in mind: every path it gets is absolute."""
    return os.path.abspath(path)


def _since(started: Any) -> float:
    return round((utcnow() - started).total_seconds(), 1)
