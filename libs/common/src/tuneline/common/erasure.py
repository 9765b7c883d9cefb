"""Erasure (the right to deletion), the part every consuming service shares.

The data service erases a dataset (or some of its versions), writes a tombstone and publishes ``dataset.erased``.
Each other service erases what it derived from those versions in the transaction that claims the event (inbox),
keeps a small record of the erasure here (ids only, never content) and acknowledges with ``erasure.applied`` through
the outbox, so the data service can report who has confirmed.

The record also guards against order: Kafka keeps order within a topic's partition, not across topics, so a
``dataset.ready`` or ``job.completed`` about an erased version may arrive after ``dataset.erased``; a service asks
`erased_among` before it acts on one and drops it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from tuneline.common.db import DeadLetterRecord
from tuneline.common.events import ERASURE_APPLIED, DatasetErased, ErasureApplied, utcnow
from tuneline.common.messaging.outbox import add_event
from tuneline.common.storage import ObjectStore


class ErasureRecord(SQLModel, table=True):
    """An erasure this service applied: which dataset versions, when, and what it erased (counts)."""

    __tablename__ = "erasures_applied"

    erasure_id: UUID = Field(primary_key=True)
    dataset_id: UUID = Field(index=True)
    version_ids: list[str] = Field(default_factory=list, sa_type=JSONB)
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONB)
    applied_at: datetime = Field(default_factory=utcnow)


def create_erasure_table(op: Any) -> None:
    """Call from a service's erasure migration (idempotent)."""
    bind = op.get_bind()
    ErasureRecord.__table__.create(bind=bind, checkfirst=True)  # type: ignore[attr-defined]
    op.execute(
        "CREATE INDEX IF NOT EXISTS erasures_applied_versions "
        "ON erasures_applied USING gin (version_ids jsonb_path_ops)"
    )


def drop_erasure_table(op: Any) -> None:
    ErasureRecord.__table__.drop(bind=op.get_bind(), checkfirst=True)  # type: ignore[attr-defined]


async def erased_among(session: AsyncSession, version_ids: Iterable[UUID | None]) -> set[UUID]:
    """Which of `version_ids` were erased (as far as this service has learnt)."""
    wanted = {v for v in version_ids if v is not None}
    if not wanted:
        return set()
    hits = sa.or_(*(col(ErasureRecord.version_ids).contains([str(v)]) for v in wanted))
    rows = (await session.execute(sa.select(col(ErasureRecord.version_ids)).where(hits))).scalars().all()
    return wanted & {UUID(v) for ids in rows for v in ids}


async def applied(session: AsyncSession, erasure_id: UUID) -> bool:
    return await session.get(ErasureRecord, erasure_id) is not None


async def acknowledge(
    session: AsyncSession,
    event: DatasetErased | ErasureApplied,
    *,
    service: str,
    counts: Mapping[str, int],
    model_version_ids: Iterable[UUID] = (),
) -> bool:
    """Record that this service applied `event`'s erasure and publish erasure.applied (outbox), once: False when the
    erasure was already recorded (then nothing is published again). The service's dead letters that name the erased
    dataset, its versions or the model versions trained on them go first (a dead-lettered event may carry what was
    erased, an inference request's prompt for one); `counts` gains how many."""
    model_versions = list(model_version_ids)
    named = [event.dataset_id, *event.version_ids, *model_versions]
    if isinstance(event, ErasureApplied):
        named += event.model_version_ids
    counts = {**counts, "dead_letters": await delete_dead_letters(session, named)}
    stmt = (
        insert(ErasureRecord)
        .values(
            erasure_id=event.erasure_id,
            dataset_id=event.dataset_id,
            version_ids=[str(v) for v in event.version_ids],
            counts=dict(counts),
            applied_at=utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(col(ErasureRecord.erasure_id))
    )
    if (await session.execute(stmt)).first() is None:
        return False
    await add_event(
        session,
        ERASURE_APPLIED,
        ErasureApplied(
            producer=service,
            usecase_id=event.usecase_id,
            erasure_id=event.erasure_id,
            dataset_id=event.dataset_id,
            version_ids=list(event.version_ids),
            service=service,
            counts=dict(counts),
            model_version_ids=model_versions,
        ),
    )
    return True


async def delete_dead_letters(session: AsyncSession, ids: Iterable[object]) -> int:
    """Delete this service's dead letters whose payload or headers name any of `ids`; returns how many."""
    needles = sorted({str(i) for i in ids if i is not None})
    if not needles:
        return 0
    payload = sa.func.encode(col(DeadLetterRecord.payload), "escape")
    headers = sa.cast(col(DeadLetterRecord.headers), sa.Text)
    matches = [text.like(f"%{needle}%") for needle in needles for text in (payload, headers)]
    result = await session.execute(sa.delete(DeadLetterRecord).where(sa.or_(*matches)))
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_prefix(store: ObjectStore, prefix: str) -> int:
    """Delete every object under `prefix` (a folder-like key ending in '/'); returns how many were deleted."""
    if not prefix.endswith("/"):
        raise ValueError(f"prefix {prefix!r} must end with '/' (a folder), not name a key's beginning")
    objects = await store.list(prefix)
    for info in objects:
        await store.delete(info.key)
    return len(objects)
