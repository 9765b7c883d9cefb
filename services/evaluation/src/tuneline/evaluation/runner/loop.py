"""The runner loop: recover lost evaluations, claim the next queued one (FOR UPDATE SKIP LOCKED), run it,
record the outcome. Each state change is its own short transaction through evaluations.service, so the
evaluation.completed event leaves through the outbox.

Resumability: a runner stamps its evaluation while it works; when the stamps stop (crash, node loss) any
runner's reaper puts it back in the queue and the next claim runs it again from the stored adapter and test
split (greedy decoding makes the rerun give the same result), up to ``runner_max_attempts``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import structlog

from tuneline.common import erasure
from tuneline.common.db import SessionFactory, transaction
from tuneline.common.observability import continued_span
from tuneline.common.storage import ObjectStore
from tuneline.common.waiting import WorkListener, wait_any
from tuneline.evaluation.evaluations import repository, service
from tuneline.evaluation.runner.execute import JobInputs, JobResult, evaluate_job
from tuneline.evaluation.settings import EvaluationSettings

log = structlog.get_logger(__name__)


class EvaluationRunner:
    def __init__(
        self, settings: EvaluationSettings, sessions: SessionFactory, store: ObjectStore, name: str | None = None
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid4().hex[:6]}"

    async def run(self, stop: asyncio.Event) -> None:
        log.info("evaluation.runner.started", worker=self.name)
        async with WorkListener(self.settings.database_url, self.settings.db_schema) as work:
            while not stop.is_set():
                work.wake.clear()  # a run queued during the tick wakes the next wait at once
                if await self.tick():
                    continue
                await wait_any([stop, work.wake], self.settings.runner_poll_interval_s)
        log.info("evaluation.runner.stopped", worker=self.name)

    async def tick(self) -> bool:
        """Recover lost runs, then run one queued evaluation; False when the queue was empty."""
        await self.reap_lost_runs()
        evaluation_id = await self.claim()
        if evaluation_id is None:
            return False
        await self.execute(evaluation_id)
        return True

    async def reap_lost_runs(self) -> None:
        older_than = timedelta(seconds=self.settings.runner_stale_after_s)
        async with transaction(self.sessions) as session:
            for run in await repository.stale_runs(session, older_than):
                outcome = await service.recover_lost_run(session, self.settings, run)
                log.warning("evaluation.run.runner_lost", evaluation_id=str(run.id), worker=run.worker, outcome=outcome)

    async def claim(self) -> UUID | None:
        async with transaction(self.sessions) as session:
            run = await repository.claim_next_run(session, self.name)
            if run is None:
                return None
            log.info("evaluation.run.claimed", evaluation_id=str(run.id), worker=self.name, attempt=run.attempts)
            return run.id

    async def execute(self, evaluation_id: UUID) -> None:
        """Run a claimed evaluation as the continuation of the trace it was queued under (job.completed's)."""
        async with transaction(self.sessions) as session:
            run = await service.get_run(session, evaluation_id)
            cause, usecase_id = run.trace_context, run.usecase_id
        with continued_span("evaluation.run", cause, {"evaluation_id": evaluation_id, "usecase_id": usecase_id}):
            await self._execute(evaluation_id)

    async def _execute(self, evaluation_id: UUID) -> None:
        async with transaction(self.sessions) as session:
            run = await service.get_run(session, evaluation_id)
            usecase = await repository.get_usecase(session, run.usecase_id)
            history = await service.loss_history(session, run.job_id)
            labels = list(run.labels) or (list(usecase.labels) if usecase else [])
            job = JobInputs(
                evaluation_id=str(run.id),
                task_type=run.task_type,
                base_model=run.base_model,
                adapter_uri=run.adapter_uri,
                test_split_uri=run.test_split_uri or "",
                labels=labels,
                prompt_template=run.prompt_template,
            )
            kpis = dict(usecase.kpi_targets) if usecase else {}
        workdir = Path(self.settings.runner_workdir) / str(evaluation_id) / uuid4().hex[:8]
        heartbeat = asyncio.create_task(self._heartbeat(evaluation_id))
        try:
            result = await evaluate_job(self.settings, self.store, job, workdir, kpis, history)
        except Exception as error:
            log.exception("evaluation.run.error", evaluation_id=str(evaluation_id))
            await self._conclude(evaluation_id, None, f"{type(error).__name__}: {error}")
            return
        finally:
            heartbeat.cancel()
            shutil.rmtree(workdir, ignore_errors=True)
        await self._conclude(evaluation_id, result, None)

    async def _conclude(self, evaluation_id: UUID, result: JobResult | None, error: str | None) -> None:
        async with transaction(self.sessions) as session:
            run = await repository.get_run(session, evaluation_id, for_update=True)
            if run is not None and run.erased_at is not None:
                # Its data was erased while it ran: what it stored since must not survive either.
                await erasure.delete_prefix(self.store, service.evaluation_prefix(evaluation_id))
                log.info("evaluation.run.erased_while_running", evaluation_id=str(evaluation_id))
                return
            if run is None or run.status != "running" or run.worker != self.name:
                # Taken over after missed heartbeats: the other runner's result counts.
                log.warning("evaluation.run.superseded", evaluation_id=str(evaluation_id), worker=self.name)
                return
            if result is None:
                await service.fail_run(session, self.settings, run, error or "unknown error")
                return
            await service.complete_run(
                session,
                self.settings,
                run,
                result.outcome,
                result.summary,
                result.review,
                result.items,
                result.report_uri,
                result.report_keys,
            )

    async def _heartbeat(self, evaluation_id: UUID) -> None:
        while True:
            await asyncio.sleep(self.settings.runner_heartbeat_interval_s)
            async with transaction(self.sessions) as session:
                if not await repository.heartbeat(session, evaluation_id, self.name):
                    log.warning("evaluation.run.lost_ownership", evaluation_id=str(evaluation_id))
                    return
