"""Every query on datasets, versions and uploads."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.db import AuditRecord
from tuneline.data.datasets.tables import Dataset, DatasetVersion, Upload


async def get_dataset(session: AsyncSession, dataset_id: UUID, *, for_update: bool = False) -> Dataset | None:
    if not for_update:
        return await session.get(Dataset, dataset_id)
    stmt = sa.select(Dataset).where(Dataset.id == dataset_id).with_for_update()
    return (await session.execute(stmt)).scalars().first()


async def list_datasets(
    session: AsyncSession, *, usecase_id: UUID | None, owner: str | None, team: str | None, limit: int, offset: int
) -> list[Dataset]:
    stmt = sa.select(Dataset).order_by(Dataset.created_at.desc())
    if usecase_id is not None:
        stmt = stmt.where(Dataset.usecase_id == usecase_id)
    if owner is not None:
        mine = Dataset.owner == owner
        stmt = stmt.where(sa.or_(mine, Dataset.team == team) if team else mine)
    return list((await session.execute(stmt.limit(limit).offset(offset))).scalars().all())


async def add(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()


async def get_version(session: AsyncSession, dataset_id: UUID, number: int) -> DatasetVersion | None:
    stmt = sa.select(DatasetVersion).where(
        DatasetVersion.dataset_id == dataset_id,
        DatasetVersion.number == number,
    )
    return (await session.execute(stmt)).scalars().first()


async def get_version_by_id(session: AsyncSession, version_id: UUID) -> DatasetVersion | None:
    return await session.get(DatasetVersion, version_id)


async def list_versions(session: AsyncSession, dataset_id: UUID) -> list[DatasetVersion]:
    stmt = sa.select(DatasetVersion).where(DatasetVersion.dataset_id == dataset_id).order_by(DatasetVersion.number)
    return list((await session.execute(stmt)).scalars().all())


async def next_version_number(session: AsyncSession, dataset_id: UUID) -> int:
    stmt = sa.select(sa.func.coalesce(sa.func.max(DatasetVersion.number), 0)).where(
        DatasetVersion.dataset_id == dataset_id
    )
    return int((await session.execute(stmt)).scalar_one()) + 1


async def get_upload(session: AsyncSession, upload_id: UUID, *, for_update: bool = False) -> Upload | None:
    if not for_update:
        return await session.get(Upload, upload_id)
    stmt = sa.select(Upload).where(Upload.id == upload_id).with_for_update()
    return (await session.execute(stmt)).scalars().first()


async def claim_queued_upload(session: AsyncSession) -> Upload | None:
    """The oldest queued upload, locked so that concurrent workers never take the same one."""
    stmt = (
        sa.select(Upload)
        .where(Upload.status == "queued")
        .order_by(Upload.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalars().first()


async def requeue_stale_uploads(session: AsyncSession, older_than: datetime) -> int:
    """Uploads left 'processing' by a worker that died go back to the queue."""
    stmt = (
        sa.update(Upload).where(Upload.status == "processing", Upload.updated_at < older_than).values(status="queued")
    )
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def audit_entries(session: AsyncSession, resource_ids: list[str], limit: int) -> list[AuditRecord]:
    stmt = (
        sa.select(AuditRecord)
        .where(AuditRecord.resource_id.in_(resource_ids))
        .order_by(AuditRecord.occurred_at.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())
