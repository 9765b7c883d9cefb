"""Every query on feedback and quality buckets."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.monitoring.quality.bucket import QualityBucket
from tuneline.monitoring.quality.tables import FeedbackRow, QualityRow
from tuneline.monitoring.rollups.rollup import RollupKey

QUALITY_BUCKET_SECONDS = 3600


async def add_to_bucket(session: AsyncSession, key: RollupKey, start: datetime, **increments: int) -> None:
    """Add counts to a quality bucket in one statement (no read, so concurrent feedback cannot lose updates)."""
    table = QualityRow.__table__
    stmt = insert(table).values(
        model_name=key.model, version=key.version, arm=key.arm, bucket_start=start, **increments
    )
    stmt = stmt.on_conflict_do_update(
        constraint="monitoring_quality_key",
        set_={name: table.c[name] + stmt.excluded[name] for name in increments},
    )
    await session.execute(stmt)


async def load_buckets(
    session: AsyncSession, start: datetime, end: datetime, model: str | None = None
) -> list[QualityBucket]:
    stmt = sa.select(QualityRow).where(QualityRow.bucket_start >= start, QualityRow.bucket_start < end)
    if model is not None:
        stmt = stmt.where(QualityRow.model_name == model)
    rows = (await session.execute(stmt.order_by(QualityRow.bucket_start))).scalars()
    return [
        QualityBucket(
            key=RollupKey(r.model_name, r.version, r.arm),
            start=r.bucket_start,
            bucket_seconds=QUALITY_BUCKET_SECONDS,
            thumbs_up=r.thumbs_up,
            thumbs_down=r.thumbs_down,
            labelled=r.labelled,
            correct=r.correct,
        )
        for r in rows
    ]


async def feedback_for_update(session: AsyncSession, request_id: str) -> FeedbackRow | None:
    return await session.get(FeedbackRow, request_id, with_for_update=True)
