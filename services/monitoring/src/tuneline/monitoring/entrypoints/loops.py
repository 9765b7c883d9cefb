"""The periodic loops: each runs one orchestration pass per interval; a failed pass is retried next interval."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from tuneline.common.app import AppState
from tuneline.monitoring.context import monitoring_context
from tuneline.monitoring.orchestration import alerts_once, drift_once, retention_once, schedule_once

log = structlog.get_logger(__name__)


async def _every(interval_s: float, name: str, work: Callable[[], Awaitable[object]]) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await work()
        except Exception as error:  # a failed pass is retried next interval; the loop must not die
            log.error("monitoring.loop.failed", loop=name, error=f"{type(error).__name__}: {error}", exc_info=True)


def start_loops(state: AppState) -> None:
    context = monitoring_context(state)
    settings = context.settings
    if not settings.run_background_loops:
        return
    context.loops = [
        asyncio.create_task(_every(settings.evaluation_interval_s, "alerts", lambda: alerts_once(state))),
        asyncio.create_task(_every(settings.drift_interval_s, "drift", lambda: drift_once(state))),
        asyncio.create_task(_every(settings.schedule_interval_s, "schedule", lambda: schedule_once(state))),
        asyncio.create_task(_every(3600.0, "retention", lambda: retention_once(state))),
    ]


async def stop_loops(state: AppState) -> None:
    context = monitoring_context(state)
    tasks, context.loops = context.loops, []
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
