"""Migrations: re-running is a no-op and concurrent starters of one service (replicas) both succeed."""

from __future__ import annotations

import asyncio
import secrets
import sys
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from tuneline.common.db import migrate

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "probe_migrations"
KERNEL_TABLES = {"alembic_version", "outbox_events", "inbox_events", "audit_log", "dead_letters"}


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _tables(url: str, schema: str) -> set[str]:
    conn = await asyncpg.connect(_plain(url))
    try:
        rows = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)
        return {r["table_name"] for r in rows}
    finally:
        await conn.close()


async def _fetch(url: str, schema: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(_plain(url), server_settings={"search_path": schema})
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def test_migrating_twice_is_a_no_op_that_keeps_data(database_url: str) -> None:
    schema = f"mig_twice_{secrets.token_hex(3)}"
    await migrate(database_url, schema, MIGRATIONS)
    assert await _tables(database_url, schema) == KERNEL_TABLES
    event_id = uuid4()
    conn = await asyncpg.connect(_plain(database_url), server_settings={"search_path": schema})
    try:
        await conn.execute(
            "INSERT INTO outbox_events (event_id, topic, payload, headers, created_at, available_at, attempts)"
            " VALUES ($1, 'job.queued', '{}', '{}', now(), now(), 0)",
            event_id,
        )
    finally:
        await conn.close()

    await migrate(database_url, schema, MIGRATIONS)

    assert await _tables(database_url, schema) == KERNEL_TABLES
    versions = await _fetch(database_url, schema, "SELECT version_num FROM alembic_version")
    assert [r["version_num"] for r in versions] == ["0002_resilience"]
    rows = await _fetch(database_url, schema, "SELECT event_id FROM outbox_events")
    assert [r["event_id"] for r in rows] == [event_id], "the second run touched no data"


async def test_two_concurrent_migrations_in_one_process_both_succeed(database_url: str) -> None:
    schema = f"mig_conc_{secrets.token_hex(3)}"
    await asyncio.gather(migrate(database_url, schema, MIGRATIONS), migrate(database_url, schema, MIGRATIONS))
    assert await _tables(database_url, schema) == KERNEL_TABLES
    versions = await _fetch(database_url, schema, "SELECT version_num FROM alembic_version")
    assert [r["version_num"] for r in versions] == ["0002_resilience"]


async def test_two_replicas_migrating_at_once_both_succeed(database_url: str) -> None:
    """Two processes (two replicas of a service starting together) released at the same instant on a fresh schema.

    The test holds the service's migration lock until both replicas are queued on it, then lets go: each must wait
    for the lock before touching the schema, and both must end successfully with one migration applied.
    """
    schema = f"mig_repl_{secrets.token_hex(3)}"
    key = f"migrate:{schema}"
    script = (
        "import asyncio, sys; from pathlib import Path; from tuneline.common.db import migrate; "
        "asyncio.run(migrate(sys.argv[1], sys.argv[2], Path(sys.argv[3])))"
    )
    holder = await asyncpg.connect(_plain(database_url))
    procs: list[asyncio.subprocess.Process] = []
    try:
        await holder.execute("SELECT pg_advisory_lock(hashtext($1))", key)
        for _ in range(2):
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-c",
                    script,
                    database_url,
                    schema,
                    str(MIGRATIONS),
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
            )
        waiting = 0
        for _ in range(600):
            waiting = await holder.fetchval(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                " WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()"
            )
            if waiting == 2 or any(p.returncode is not None for p in procs):
                break
            await asyncio.sleep(0.1)
        assert waiting == 2, "both replicas queue on the migration lock before touching the schema"
        created = await holder.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = $1", schema)
        assert created == 0, "a replica created the schema without holding the migration lock"
        await holder.execute("SELECT pg_advisory_unlock(hashtext($1))", key)
        results = [await asyncio.wait_for(p.communicate(), timeout=120) for p in procs]
    finally:
        await holder.close()
        for p in procs:
            if p.returncode is None:
                p.kill()
                await p.wait()
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err.decode()[-3000:]
    assert await _tables(database_url, schema) == KERNEL_TABLES
    versions = await _fetch(database_url, schema, "SELECT version_num FROM alembic_version")
    assert [r["version_num"] for r in versions] == ["0002_resilience"]
