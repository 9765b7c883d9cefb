import asyncio
import contextlib

from tuneline.common.waiting import wait_event


async def _poll_forever(wait, event: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    while True:
        await wait(event)
        event.clear()


async def _cancel_as_the_event_is_set(wait) -> asyncio.Task[None]:  # type: ignore[no-untyped-def]
    event = asyncio.Event()
    task = asyncio.create_task(_poll_forever(wait, event))
    await asyncio.sleep(0.01)  # the loop is waiting
    event.set()  # e.g. a NOTIFY arriving during shutdown
    task.cancel()
    await asyncio.wait({task}, timeout=2)
    return task


async def test_a_cancel_that_arrives_as_the_event_is_set_still_stops_the_loop() -> None:
    task = await _cancel_as_the_event_is_set(lambda e: wait_event(e, 10))
    assert task.done() and task.cancelled()


async def test_the_race_is_real_with_python_311_wait_for() -> None:
    """The reason wait_event exists: asyncio.wait_for (3.11) swallows that cancellation and the loop runs on."""
    import sys

    async def old(event: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=10)

    task = await _cancel_as_the_event_is_set(old)
    swallowed = not task.done()
    task.cancel()
    await asyncio.wait({task}, timeout=2)
    assert swallowed == (sys.version_info < (3, 12))


async def test_wait_event_reports_set_or_timed_out() -> None:
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    event.set()
    assert await wait_event(event, 0.01) is True
