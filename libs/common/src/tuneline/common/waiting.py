"""Waiting without losing a cancellation, and waking idle workers when work is queued.

Python 3.11's `asyncio.wait_for` returns the inner result when the cancellation arrives just as the inner wait
completes, swallowing the CancelledError (fixed in 3.12). A poll loop built on it then runs on after `task.cancel()`
and whoever awaits the task hangs; the outbox relay did exactly that when a NOTIFY woke it during shutdown.
`asyncio.timeout` keeps the cancellation.

Work queues (training jobs, evaluation runs) are rows claimed with FOR UPDATE SKIP LOCKED. An idle worker polls
them, and `announce_work` in the transaction that queues a row wakes it at once through PostgreSQL's LISTEN/NOTIFY
(delivered on commit, never for a rolled-back row): a new job starts in milliseconds rather than after a poll
period, and polling stays as the fallback when notifications are unavailable.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

log = structlog.get_logger(__name__)

WORK_CHANNEL_PREFIX = "tuneline_work_"


async def wait_event(event: asyncio.Event, timeout_s: float) -> bool:
    """True when `event` is set within `timeout_s`, False on timeout; a cancellation always propagates."""
    return await wait_any([event], timeout_s)


async def wait_any(events: Sequence[asyncio.Event], timeout_s: float) -> bool:
    """True as soon as one of `events` is set, False after `timeout_s`; a cancellation always propagates."""
    if any(event.is_set() for event in events):
        return True
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        async with asyncio.timeout(timeout_s):
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    except TimeoutError:
        return False
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
    return True


def work_channel(schema: str) -> str:
    return WORK_CHANNEL_PREFIX + schema


async def announce_work(session: AsyncSession) -> None:
    """In the transaction that queues work in this schema: wake the schema's idle workers when it commits."""
    await session.execute(sa.text("SELECT pg_notify(:prefix || current_schema(), '')"), {"prefix": WORK_CHANNEL_PREFIX})


class WorkListener:
    """`async with WorkListener(database_url, schema) as work:` then `work.wake` is set whenever work is announced.

    Without a listening connection (e.g. a pooler that drops LISTEN) `wake` is simply never set: the worker's
    poll period still finds the work."""

    def __init__(self, database_url: str, schema: str) -> None:
        self.wake = asyncio.Event()
        self._dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._channel = work_channel(schema)
        self._conn: Any = None

    async def __aenter__(self) -> WorkListener:
        import asyncpg

        try:
            self._conn = await asyncpg.connect(self._dsn)
            await self._conn.add_listener(self._channel, lambda *_: self.wake.set())
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("work.listen.unavailable", channel=self._channel, error=str(exc))
            self._conn = None
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
