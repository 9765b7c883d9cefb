"""Every query on raw inference events and roll-ups."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.events import utcnow
from tuneline.monitoring.rollups.rollup import Rollup, RollupKey
from tuneline.monitoring.rollups.tables import ErasedVersionRow, InferenceEventRow, RollupRow

EVENTS = InferenceEventRow.__table__
ROLLUPS = RollupRow.__table__
# One statement per batch whatever its size: each column travels as one array parameter and unnest() turns
# them back into rows, which avoids compiling (and binding) a VALUES list of thousands of parameters.
EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "uuid"),
    ("request_id", "text"),
    ("model_name", "text"),
    ("version", "text"),
    ("arm", "text"),
    ("usecase_id", "uuid"),
    ("status", "text"),
    ("latency_ms", "float8"),
    ("tokens_in", "int4"),
    ("tokens_out", "int4"),
    ("caller", "text"),
    ("prompt", "text"),
    ("output", "text"),
    ("occurred_at", "timestamptz"),
    ("received_at", "timestamptz"),
)
INSERT_EVENTS = sa.text(  # names are the constants above; every value is a bound parameter
    f"INSERT INTO {EVENTS.name} ({', '.join(name for name, _ in EVENT_COLUMNS)}) "  # noqa: S608
    f"SELECT * FROM unnest({', '.join(f'CAST(:{name} AS {kind}[])' for name, kind in EVENT_COLUMNS)}) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
)


#: Ingestion (shared) and erasure (exclusive) of logged requests hold this transaction lock, so a batch either
#: commits before an erasure (which then deletes it) or sees the erasure's versions (and drops their requests).
ERASURE_LOCK = 0x6D6F6E2D6572  # "mon-er"


async def lock_against_erasure(session: AsyncSession, *, exclusive: bool) -> None:
    lock = sa.func.pg_advisory_xact_lock if exclusive else sa.func.pg_advisory_xact_lock_shared
    await session.execute(sa.select(lock(ERASURE_LOCK)))


async def remember_erased(session: AsyncSession, versions: Collection[str], erasure_id: UUID) -> None:
    if versions:
        now = utcnow()
        rows = [{"version": v, "erasure_id": erasure_id, "erased_at": now} for v in sorted(versions)]
        await session.execute(insert(ErasedVersionRow).values(rows).on_conflict_do_nothing())


async def erased_among(session: AsyncSession, versions: Collection[str]) -> set[str]:
    if not versions:
        return set()
    stmt = sa.select(ErasedVersionRow.version).where(ErasedVersionRow.version.in_(sorted(versions)))
    return set((await session.execute(stmt)).scalars().all())


async def insert_new_events(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[UUID]:
    """Insert raw events, skipping ids already stored; returns the ids that were new (the inbox check)."""
    if not rows:
        return set()
    columns = {name: [row[name] for row in rows] for name, _ in EVENT_COLUMNS}
    result = await session.execute(INSERT_EVENTS, columns)
    return set(result.scalars().all())


async def merge_rollups(session: AsyncSession, partials: Sequence[Rollup]) -> list[RollupRow]:
    """Merge partial roll-ups into the stored buckets, creating missing ones; safe under concurrent writers."""
    if not partials:
        return []
    placeholders = [
        {
            "model_name": p.key.model,
            "version": p.key.version,
            "arm": p.key.arm,
            "bucket_start": p.start,
            "bucket_seconds": p.bucket_seconds,
            "id": uuid4(),
            "state": {},
        }
        for p in partials
    ]
    await session.execute(
        insert(ROLLUPS).values(placeholders).on_conflict_do_nothing(constraint="monitoring_rollups_key")
    )
    wanted = [(p.key.model, p.key.version, p.key.arm, p.start) for p in partials]
    # A fixed lock order keeps two writers of overlapping buckets from deadlocking.
    stmt = (
        sa.select(RollupRow)
        .where(sa.tuple_(RollupRow.model_name, RollupRow.version, RollupRow.arm, RollupRow.bucket_start).in_(wanted))
        .order_by(RollupRow.model_name, RollupRow.version, RollupRow.arm, RollupRow.bucket_start)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = {(r.model_name, r.version, r.arm, r.bucket_start): r for r in (await session.execute(stmt)).scalars()}
    for partial in partials:
        row = rows[(partial.key.model, partial.key.version, partial.key.arm, partial.start)]
        merged = (
            Rollup.from_dict(row.state) if row.state else Rollup(partial.key, partial.start, partial.bucket_seconds)
        )
        merged.merge(partial)
        _write_figures(row, merged)
    await session.flush()
    return list(rows.values())


def _write_figures(row: RollupRow, rollup: Rollup) -> None:
    summary = rollup.summary()
    row.usecase_id = UUID(rollup.usecase_id) if rollup.usecase_id else row.usecase_id
    row.requests, row.errors, row.timeouts = summary.requests, summary.errors, summary.timeouts
    row.tokens_in, row.tokens_out, row.cost = summary.tokens_in, summary.tokens_out, summary.cost
    row.latency_p50_ms, row.latency_p95_ms = summary.latency_p50_ms, summary.latency_p95_ms
    row.latency_p99_ms, row.unique_callers = summary.latency_p99_ms, summary.unique_callers
    row.state = rollup.to_dict()
    row.updated_at = datetime.now(tz=row.bucket_start.tzinfo)


async def usecases_of(session: AsyncSession, model_names: Sequence[str]) -> dict[str, UUID]:
    from tuneline.monitoring.models.tables import MonitoredModelRow

    if not model_names:
        return {}
    stmt = sa.select(MonitoredModelRow.model_name, MonitoredModelRow.usecase_id).where(
        MonitoredModelRow.model_name.in_(list(model_names))
    )
    return {name: usecase for name, usecase in (await session.execute(stmt)).all()}


async def load_rollups(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    model: str | None = None,
    version: str | None = None,
    arm: str | None = None,
    usecase_id: UUID | None = None,
    models: Collection[str] | None = None,
) -> list[Rollup]:
    """Roll-ups in [start, end), narrowed by each filter given (`models`: only these model names)."""
    stmt = sa.select(RollupRow.state).where(RollupRow.bucket_start >= start, RollupRow.bucket_start < end)
    if models is not None:
        stmt = stmt.where(RollupRow.model_name.in_(list(models)))
    if model is not None:
        stmt = stmt.where(RollupRow.model_name == model)
    if version is not None:
        stmt = stmt.where(RollupRow.version == version)
    if arm is not None:
        stmt = stmt.where(RollupRow.arm == arm)
    if usecase_id is not None:
        stmt = stmt.where(RollupRow.usecase_id == usecase_id)
    stmt = stmt.order_by(RollupRow.bucket_start)
    return [Rollup.from_dict(state) for state in (await session.execute(stmt)).scalars() if state]


async def find_event(session: AsyncSession, request_id: str) -> InferenceEventRow | None:
    stmt = sa.select(InferenceEventRow).where(InferenceEventRow.request_id == request_id).limit(1)
    return (await session.execute(stmt)).scalars().first()


async def recent_inputs(
    session: AsyncSession, model: str, version: str, start: datetime, end: datetime, limit: int
) -> list[tuple[str, str | None]]:
    """The most recent logged prompts (and outputs) of a model version in [start, end)."""
    stmt = (
        sa.select(InferenceEventRow.prompt, InferenceEventRow.output)
        .where(
            InferenceEventRow.model_name == model,
            InferenceEventRow.version == version,
            InferenceEventRow.occurred_at >= start,
            InferenceEventRow.occurred_at < end,
            InferenceEventRow.prompt.is_not(None),
        )
        .order_by(InferenceEventRow.occurred_at.desc())
        .limit(limit)
    )
    return [(prompt, output) for prompt, output in (await session.execute(stmt)).all()]


async def purge_events_before(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(sa.delete(InferenceEventRow).where(InferenceEventRow.occurred_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def keys_in(rollups: Sequence[Rollup]) -> list[RollupKey]:
    return sorted({r.key for r in rollups})
