"""The worker loop: claim queued jobs, run each through a runner, record what it reports, recover lost jobs.

Every state change goes through jobs.service in its own short transaction, so the events it causes leave
through the outbox. While a job runs, a heartbeat stamps it and picks up cancel/pause requests; any worker's
reaper re-queues (or fails) jobs whose heartbeat stopped, and the next claim resumes them from the last
checkpoint in object storage.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import structlog

from tuneline.common.db import SessionFactory, transaction
from tuneline.common.observability import continued_span
from tuneline.common.redact import describe_error
from tuneline.common.results import TrainingPhaseReport, TrainingProgress, TrainingResult, parse_worker_message
from tuneline.common.waiting import WorkListener, wait_any
from tuneline.training.jobs import repository, service
from tuneline.training.jobs.states import ACTIVE, JobStatus
from tuneline.training.jobs.tables import TrainingJob
from tuneline.training.settings import TrainingSettings
from tuneline.training.studies import service as studies
from tuneline.training.studies.context import open_study_storage
from tuneline.training.studies.optuna_repository import StudyStorage
from tuneline.training.worker.execute import ExecutionSpec
from tuneline.training.worker.runners import RunHandle, Runner

log = structlog.get_logger(__name__)

_RECORD_TASKS = {"classification": "classification", "instruction": "instruction", "conversational": "conversational"}


class Worker:
    def __init__(
        self,
        settings: TrainingSettings,
        sessions: SessionFactory,
        runner: Runner,
        name: str | None = None,
        studies: StudyStorage | None = None,
    ):
        self.settings = settings
        self.sessions = sessions
        self.runner = runner
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid4().hex[:6]}"
        self.running: dict[UUID, asyncio.Task[None]] = {}
        self.handles: dict[UUID, RunHandle] = {}
        # Jobs this worker is handing back because it is stopping: their "paused" end re-queues them.
        self.handing_back: set[UUID] = set()
        # Trials of a study report their validation losses to Optuna from here (opened at the first report).
        self._owns_studies = studies is None
        self.studies = studies or open_study_storage(settings)

    async def run(self, stop: asyncio.Event) -> None:
        log.info(
            "training.worker.started",
            worker=self.name,
            runner=self.runner.name,
            pool=self.settings.worker_pool,
            pool_limit=self.settings.max_concurrent_jobs,
            jobs_per_worker=self.settings.jobs_per_worker,
        )
        try:
            async with WorkListener(self.settings.database_url, self.settings.db_schema) as work:
                while not stop.is_set():
                    work.wake.clear()  # a job queued during the tick wakes the next wait at once
                    await self.tick()
                    await wait_any([stop, work.wake], self.settings.worker_poll_interval_s)
        finally:
            await self.hand_back()
            for task in self.running.values():
                task.cancel()
            await asyncio.gather(*self.running.values(), return_exceptions=True)
            if self._owns_studies:
                await asyncio.to_thread(self.studies.close)
            log.info("training.worker.stopped", worker=self.name)

    async def hand_back(self) -> None:
        """On stop (SIGTERM): ask every running job to checkpoint and exit, and wait for them (at most
        `worker_stop_grace_s`), so each goes back to the queue and resumes from that checkpoint on another worker
        at once — instead of waiting for the heartbeat timeout and resuming from an older checkpoint."""
        if not self.running:
            return
        for job_id, handle in list(self.handles.items()):
            self.handing_back.add(job_id)
            handle.request("pause")
        log.info("training.worker.handing_back", worker=self.name, jobs=[str(j) for j in self.handles])
        _, late = await asyncio.wait(list(self.running.values()), timeout=self.settings.worker_stop_grace_s)
        if late:
            log.warning("training.worker.hand_back_timeout", worker=self.name, jobs=len(late))

    async def tick(self) -> None:
        """One round: recover lost jobs, then claim as many as this worker may run."""
        await self.reap_lost_jobs()
        while len(self.running) < self.settings.jobs_per_worker:
            job_id = await self.claim()
            if job_id is None:
                return
            task = asyncio.create_task(self.run_job(job_id))
            self.running[job_id] = task
            task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        for job_id, running in list(self.running.items()):
            if running is task:
                del self.running[job_id]

    async def claim(self) -> UUID | None:
        async with transaction(self.sessions) as session:
            job = await repository.claim_next_job(
                session, self.name, self.settings.max_concurrent_jobs, self.settings.worker_pool
            )
            if job is None:
                return None
            await repository.add_log(session, job.id, f"claimed by worker {self.name} (attempt {job.attempts})")
            return job.id

    async def reap_lost_jobs(self) -> None:
        timeout = timedelta(seconds=self.settings.heartbeat_timeout_s)
        async with transaction(self.sessions) as session:
            for job in await repository.stale_jobs(session, timeout):
                why = f"worker {job.worker} stopped sending heartbeats at step {job.step}"
                outcome = await service.recover_lost_job(session, self.settings, job, why)
                log.warning("training.job.worker_lost", job_id=str(job.id), worker=job.worker, outcome=outcome)

    # ------------------------------------------------------------------------------------------ one job

    async def run_job(self, job_id: UUID) -> None:
        """Run a claimed job as the continuation of the trace it was queued under (its events carry it on)."""
        async with transaction(self.sessions) as session:
            job = await repository.get_job(session, job_id)
            cause = job.trace_context if job is not None else None
            usecase_id = job.usecase_id if job is not None else None
        with continued_span("training.job.run", cause, {"job_id": job_id, "usecase_id": usecase_id}):
            await self._run_job(job_id)

    async def _run_job(self, job_id: UUID) -> None:
        workdir = Path(self.settings.job_workdir) / f"{job_id}-{uuid4().hex[:8]}"  # removed when the run ends
        try:
            async with transaction(self.sessions) as session:
                job = await self._own(session, job_id)
                if job is None:
                    return
                spec = self._spec(job, workdir)
                await service.start_job(session, self.settings, job)
            handle = await self.runner.start(spec)
        except Exception as exc:
            await self._fail(job_id, f"could not start training: {describe_error(exc)}")
            shutil.rmtree(workdir, ignore_errors=True)
            return
        heartbeat = asyncio.create_task(self._heartbeat(job_id, handle))
        self.handles[job_id] = handle
        try:
            result = await self._follow(job_id, handle)
            code, error = await handle.outcome()
        except asyncio.CancelledError:
            handle.kill()  # stopping past the grace period: the reaper of a live worker resumes the job
            raise
        finally:
            heartbeat.cancel()
            self.handles.pop(job_id, None)
            shutil.rmtree(workdir, ignore_errors=True)
        await self._conclude(job_id, result, code, error)

    def _spec(self, job: TrainingJob, workdir: Path) -> ExecutionSpec:
        task = _RECORD_TASKS.get(job.record_format)
        if task is None:
            raise ValueError(f"record format {job.record_format!r} cannot be fine-tuned by the recipe")
        r = job.resolved
        # a separate validation version (job.validation_uris) replaces the training version's validation split
        has_validation = bool(job.validation_uris) or "validation" in job.split_uris
        recipe: dict[str, Any] = {
            "base_model": job.base_model,
            "task": task,
            # The use case's template names its labels in the use case's order; the data's own set only without one.
            "labels": None if job.prompt_template else (list(job.labels) or None),
            "prompt_template": job.prompt_template,
            "method": job.method_requested,
            "lora_r": r["lora_rank"],
            "lora_alpha": r["lora_alpha"],
            "lora_dropout": r["lora_dropout"],
            "general_replay": r.get("general_replay", 0.0),
            "target_modules": r["target_modules"],
            "epochs": r["epochs"],
            "batch_size": r["batch_size"],
            "grad_accumulation": r["grad_accumulation"],
            "learning_rate": r["learning_rate"],
            "warmup_steps": r["warmup_steps"],
            "weight_decay": r["weight_decay"],
            "max_seq_len": r["max_seq_len"],
            "seed": r["seed"],
            "eval_every_steps": r["eval_interval"] if has_validation else 0,
            "early_stopping_patience": r["early_stopping_patience"] if has_validation and r["eval_interval"] else 0,
            "checkpoint_every_steps": r["checkpoint_interval"],
            "torch_threads": self.settings.worker_torch_threads,
            "model_cache_dir": self.settings.model_cache_dir,
            "progress_interval_s": 2.0,
        }
        s = self.settings
        store = {
            "url": s.object_store_url,
            "endpoint": s.s3_endpoint,
            "access_key": s.s3_access_key.get_secret_value() if s.s3_access_key else None,
            "secret_key": s.s3_secret_key.get_secret_value() if s.s3_secret_key else None,
            "secure": s.s3_secure,
            "region": s.s3_region,
        }
        return ExecutionSpec(
            job_id=str(job.id),
            recipe=recipe,
            split_uris=dict(job.split_uris),
            validation_uris=list(job.validation_uris),
            output_prefix=f"jobs/{job.id}",
            workdir=str(workdir.resolve()),
            store=store,
            resume_checkpoint_key=job.last_checkpoint_key,
            base_model_dirs=s.base_model_map(),
            allow_unverified_base_models=s.allow_unverified_base_models,
        )

    async def _follow(self, job_id: UUID, handle: RunHandle) -> TrainingResult | None:
        result = None
        async for raw in handle.messages():
            message = parse_worker_message(raw)
            if isinstance(message, TrainingResult):
                result = message
                continue
            pruned = False
            async with transaction(self.sessions) as session:
                job = await self._own(session, job_id)
                if job is None:  # taken over after a missed heartbeat: stop this copy
                    handle.kill()
                    return None
                if isinstance(message, TrainingPhaseReport):
                    await service.record_phase(session, self.settings, job, message)
                elif isinstance(message, TrainingProgress):
                    await service.record_progress(session, self.settings, job, message)
                    if message.event == "eval" and message.val_loss is not None and job.study_id is not None:
                        pruned = await studies.report_validation(
                            session, self.settings, self.studies, job, message.step, message.val_loss
                        )
                else:
                    await service.record_checkpoint(session, job, message.key, message.step)
            if pruned:  # committed: stop the run now rather than at the next heartbeat
                handle.request("cancel")
        return result

    async def _conclude(self, job_id: UUID, result: TrainingResult | None, code: int, error: str) -> None:
        async with transaction(self.sessions) as session:
            job = await self._own(session, job_id)
            if job is None:
                return
            status = result.status if result else None
            if result is not None and result.produced_adapter and result.adapter_uri:
                await service.complete_job(session, self.settings, job, result.adapter_uri, result.metadata)
            elif status == "cancelled":
                await service.finish_cancelled(session, self.settings, job, "request")
            elif status == "paused" and job_id in self.handing_back and job.requested_action != "pause":
                await service.hand_back_job(session, job, self.name)
            elif status == "paused":
                await service.finish_paused(session, job)
            elif code < 0:
                # killed by a signal (out-of-memory killer, node loss): worth resuming from the checkpoint
                await service.recover_lost_job(
                    session, self.settings, job, f"training process killed by signal {-code}"
                )
            else:
                await service.fail_job(
                    session, self.settings, job, error or f"training process exited with code {code}"
                )

    async def _heartbeat(self, job_id: UUID, handle: RunHandle) -> None:
        forwarded: str | None = None
        while True:
            await asyncio.sleep(self.settings.heartbeat_interval_s)
            async with transaction(self.sessions) as session:
                seen = await repository.heartbeat(session, job_id, self.name)
            if seen is None:
                handle.kill()  # another worker owns it now
                return
            _status, action = seen
            if action and action != forwarded:
                handle.request(action)
                forwarded = action

    async def _own(self, session: Any, job_id: UUID) -> TrainingJob | None:
        """The job, locked, if this worker still owns it and it is active."""
        job = await repository.get_job(session, job_id, for_update=True)
        if job is None or job.worker != self.name or JobStatus(job.status) not in ACTIVE:
            return None
        return job

    async def _fail(self, job_id: UUID, reason: str) -> None:
        async with transaction(self.sessions) as session:
            job = await self._own(session, job_id)
            if job is not None:
                await service.fail_job(session, self.settings, job, reason)
