"""Every query on reference profiles and drift reports."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.monitoring.drift.tables import DatasetReferenceRow, DriftReportRow


async def newest_reference(
    session: AsyncSession, usecase_id: UUID, ready_before: datetime | None = None
) -> DatasetReferenceRow | None:
    stmt = sa.select(DatasetReferenceRow).where(DatasetReferenceRow.usecase_id == usecase_id)
    if ready_before is not None:
        stmt = stmt.where(DatasetReferenceRow.ready_at <= ready_before)
    stmt = stmt.order_by(DatasetReferenceRow.ready_at.desc()).limit(1)
    return (await session.execute(stmt)).scalars().first()


async def list_reports(
    session: AsyncSession, model: str | None, drifted_only: bool, limit: int, *, models: Collection[str] | None = None
) -> list[DriftReportRow]:
    """Newest first; `models`: only reports of these model names (None: of every model)."""
    stmt = sa.select(DriftReportRow)
    if models is not None:
        stmt = stmt.where(DriftReportRow.model_name.in_(list(models)))
    if model is not None:
        stmt = stmt.where(DriftReportRow.model_name == model)
    if drifted_only:
        stmt = stmt.where(DriftReportRow.drifted.is_(True))
    stmt = stmt.order_by(DriftReportRow.created_at.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def latest_report(session: AsyncSession, model: str) -> DriftReportRow | None:
    reports = await list_reports(session, model, drifted_only=False, limit=1)
    return reports[0] if reports else None
