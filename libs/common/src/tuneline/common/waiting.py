"""Waiting on an event with a timeout, without losing a cancellation.

Python 3.11's `asyncio.wait_for` returns the inner result when the cancellation arrives just as the inner wait
completes, swallowing the CancelledError (fixed in 3.12). A poll loop built on it then runs on after `task.cancel()`
and whoever awaits the task hangs; the outbox relay did exactly that when a NOTIFY woke it during shutdown.
`asyncio.timeout` keeps the cancellation.
"""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, timeout_s: float) -> bool:
    """True when `event` is set within `timeout_s`, False on timeout; a cancellation always propagates."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return False
    return True
