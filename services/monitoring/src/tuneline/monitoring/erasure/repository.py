"""Every query of an erasure in monitoring (over the tables of drift, roll-ups, quality and retraining)."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.monitoring.drift.tables import DatasetReferenceRow, DriftReportRow
from tuneline.monitoring.quality.tables import FeedbackRow, QualityRow
from tuneline.monitoring.retraining.tables import RetrainActionRow
from tuneline.monitoring.rollups.tables import InferenceEventRow, RollupRow


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_references(session: AsyncSession, version_ids: Collection[UUID]) -> int:
    stmt = sa.delete(DatasetReferenceRow).where(DatasetReferenceRow.version_id.in_(version_ids))
    return _count(await session.execute(stmt))


async def delete_drift_reports(session: AsyncSession, version_ids: Collection[UUID], models: Collection[str]) -> int:
    stmt = sa.delete(DriftReportRow).where(
        sa.or_(
            DriftReportRow.reference_version_id.in_(version_ids),
            DriftReportRow.version.in_(models),
        )
    )
    return _count(await session.execute(stmt))


async def delete_inference_events(session: AsyncSession, models: Collection[str]) -> list[str]:
    """Delete the logged requests of model versions `models` (their ids as text); returns their request ids."""
    stmt = (
        sa.delete(InferenceEventRow)
        .where(InferenceEventRow.version.in_(models))
        .returning(InferenceEventRow.request_id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def delete_feedback(session: AsyncSession, request_ids: Collection[str]) -> int:
    if not request_ids:
        return 0
    stmt = sa.delete(FeedbackRow).where(FeedbackRow.request_id.in_(request_ids))
    return _count(await session.execute(stmt))


async def delete_rollups(session: AsyncSession, models: Collection[str]) -> int:
    rollups = await session.execute(sa.delete(RollupRow).where(RollupRow.version.in_(models)))
    quality = await session.execute(sa.delete(QualityRow).where(QualityRow.version.in_(models)))
    return _count(rollups) + _count(quality)


async def forget_dataset_versions_in_retrain_actions(session: AsyncSession, version_ids: Collection[UUID]) -> int:
    stmt = (
        sa.update(RetrainActionRow)
        .where(RetrainActionRow.dataset_version_id.in_(version_ids))
        .values(dataset_version_id=None)
    )
    return _count(await session.execute(stmt))
