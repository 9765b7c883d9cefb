"""Running studies are looked over at start and then every `study_sweep_interval_s` in the API process.

The job events (studies/consumers.py) move a study as its trials end; this loop is what resumes every running study
after a restart (trials in flight keep going as jobs; trials the study still needs are queued) and the backstop
for an event that never came. Each study is advanced in its own transaction; one that fails is logged and left to
the next round.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from tuneline.common.app import AppState
from tuneline.common.db import SessionFactory, transaction
from tuneline.training.settings import TrainingSettings
from tuneline.training.studies import repository, service
from tuneline.training.studies.context import studies_context
from tuneline.training.studies.optuna_repository import StudyStorage

log = structlog.get_logger(__name__)


async def sweep(sessions: SessionFactory, settings: TrainingSettings, storage: StudyStorage) -> None:
    """Advance every running study once."""
    async with sessions() as session:
        study_ids = await repository.running_study_ids(session)
    for study_id in study_ids:
        try:
            async with transaction(sessions) as session:
                await service.advance(session, settings, storage, study_id)
        except Exception:
            log.exception("training.study.sweep_failed", study_id=str(study_id))


async def _loop(state: AppState, settings: TrainingSettings, storage: StudyStorage) -> None:
    while True:
        try:
            await sweep(state.sessions, settings, storage)
        except Exception:
            log.exception("training.study.sweep_failed")
        await asyncio.sleep(settings.study_sweep_interval_s)


async def start(state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    context = studies_context(state)
    context.sweeper = asyncio.create_task(_loop(state, settings, context.storage), name="training-study-sweeper")


async def stop(state: AppState) -> None:
    context = studies_context(state)
    task, context.sweeper = context.sweeper, None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await asyncio.to_thread(context.storage.close)  # waits for an Optuna call in flight
