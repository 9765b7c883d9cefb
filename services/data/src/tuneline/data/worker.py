"""The background upload worker: large uploads are processed outside the request that completed them.

Runs as an asyncio task in the service process (or several processes: uploads are claimed with
FOR UPDATE SKIP LOCKED). An upload left 'processing' by a crashed process is requeued after a grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import utcnow
from tuneline.data.datasets import repository, service
from tuneline.data.datasets.context import DataContext
from tuneline.data.datasets.versions import Context
from tuneline.data.settings import DataSettings

log = structlog.get_logger(__name__)

STALE_AFTER = timedelta(hours=2)


async def drain_once(state: AppState) -> bool:
    """Process one queued upload in its own transaction; False when there was none."""
    settings = state.settings
    assert isinstance(settings, DataSettings)
    data = state.context_as(DataContext)
    ctx = Context(settings=settings, store=state.store, engines=data.engines, processing=data.processing)
    async with transaction(state.sessions) as session:
        upload = await service.run_queued_upload(session, ctx)
    if upload is not None:
        log.info("data.worker.processed", upload_id=str(upload.id), status=upload.status)
    return upload is not None


async def _loop(state: AppState, interval: float) -> None:
    async with transaction(state.sessions) as session:
        requeued = await repository.requeue_stale_uploads(session, utcnow() - STALE_AFTER)
        if requeued:
            log.warning("data.worker.requeued_stale", count=requeued)
    while True:
        try:
            busy = await drain_once(state)
        except Exception:
            log.exception("data.worker.failed")
            busy = False
        if not busy:
            await asyncio.sleep(interval)


async def start(state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, DataSettings)
    data = state.context_as(DataContext)
    # Spawning the pool's processes happens in a thread, never on the event loop or on the first upload's time.
    data.processing_warm = asyncio.create_task(asyncio.to_thread(data.processing.warm), name="data-pool-warm")
    if settings.run_worker:
        loop = _loop(state, settings.worker_poll_interval_s)
        data.worker = asyncio.create_task(loop, name="data-worker")


async def stop(state: AppState) -> None:
    context = state.context_as(DataContext)
    task, context.worker = context.worker, None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    warm, context.processing_warm = context.processing_warm, None
    if warm is not None:
        with contextlib.suppress(Exception):
            await warm
    context.processing.close()
