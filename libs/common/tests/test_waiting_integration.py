"""Idle workers wake on committed work through LISTEN/NOTIFY, on real PostgreSQL."""

import asyncio
import time

import pytest
import sqlalchemy as sa

from tuneline.common.db import create_engine, session_factory, transaction
from tuneline.common.waiting import WorkListener, announce_work, wait_any

pytestmark = pytest.mark.integration


async def test_committed_work_wakes_a_listener_of_its_schema_only_and_rolled_back_work_does_not(database_url) -> None:
    engines = {schema: create_engine(database_url, schema, pool_size=1) for schema in ("queue_a", "queue_b")}
    async with engines["queue_a"].begin() as conn:
        for schema in engines:
            await conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    sessions = {schema: session_factory(engine) for schema, engine in engines.items()}
    stop = asyncio.Event()
    try:
        async with WorkListener(database_url, "queue_a") as work:
            with pytest.raises(RuntimeError):
                async with transaction(sessions["queue_a"]) as session:
                    await announce_work(session)
                    raise RuntimeError("the job row was not queued after all")
            async with transaction(sessions["queue_b"]) as session:
                await announce_work(session)  # another service's queue
            assert await wait_any([stop, work.wake], 0.5) is False

            async with transaction(sessions["queue_a"]) as session:
                await announce_work(session)
            started = time.monotonic()
            assert await wait_any([stop, work.wake], 30) is True
            assert time.monotonic() - started < 5  # woken by the notification, not by the 30 s poll
    finally:
        for engine in engines.values():
            await engine.dispose()


async def test_an_unreachable_database_leaves_polling_as_the_fallback() -> None:
    async with WorkListener("postgresql://nobody@127.0.0.1:1/none", "queue_a") as work:
        assert await wait_any([work.wake], 0.05) is False
