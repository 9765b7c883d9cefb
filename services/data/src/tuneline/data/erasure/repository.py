"""Every query of erasures: the rows an erasure removes, the tombstone and the acknowledgements."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.data.datasets.tables import Dataset, DatasetVersion, Upload
from tuneline.data.erasure.tables import DatasetErasure, ErasureAcknowledgement


async def uploads_of(session: AsyncSession, dataset_id: UUID) -> list[Upload]:
    stmt = sa.select(Upload).where(Upload.dataset_id == dataset_id).with_for_update()
    return list((await session.execute(stmt)).scalars().all())


async def dataset_ids_of_usecase(session: AsyncSession, usecase_id: UUID) -> list[UUID]:
    stmt = sa.select(Dataset.id).where(Dataset.usecase_id == usecase_id).order_by(Dataset.created_at)
    return list((await session.execute(stmt)).scalars().all())


async def delete_versions(session: AsyncSession, version_ids: Collection[UUID]) -> int:
    if not version_ids:
        return 0
    result = await session.execute(sa.delete(DatasetVersion).where(DatasetVersion.id.in_(version_ids)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def delete_uploads(session: AsyncSession, upload_ids: Collection[UUID]) -> int:
    if not upload_ids:
        return 0
    result = await session.execute(sa.delete(Upload).where(Upload.id.in_(upload_ids)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def delete_dataset(session: AsyncSession, dataset: Dataset) -> None:
    await session.delete(dataset)
    await session.flush()


async def add(session: AsyncSession, erasure: DatasetErasure) -> None:
    session.add(erasure)
    await session.flush()


async def get(session: AsyncSession, erasure_id: UUID) -> DatasetErasure | None:
    return await session.get(DatasetErasure, erasure_id)


async def of_dataset(session: AsyncSession, dataset_id: UUID) -> list[DatasetErasure]:
    stmt = (
        sa.select(DatasetErasure)
        .where(DatasetErasure.dataset_id == dataset_id)
        .order_by(DatasetErasure.requested_at.desc())
    )
    return list((await session.execute(stmt)).scalars().all())


async def add_acknowledgement(session: AsyncSession, ack: ErasureAcknowledgement) -> bool:
    """False when the service had already acknowledged the erasure."""
    stmt = (
        insert(ErasureAcknowledgement)
        .values(
            erasure_id=ack.erasure_id,
            service=ack.service,
            counts=ack.counts,
            applied_at=ack.applied_at,
            event_id=ack.event_id,
        )
        .on_conflict_do_nothing()
        .returning(ErasureAcknowledgement.service)
    )
    return (await session.execute(stmt)).first() is not None


async def acknowledgements(session: AsyncSession, erasure_ids: Collection[UUID]) -> list[ErasureAcknowledgement]:
    if not erasure_ids:
        return []
    stmt = sa.select(ErasureAcknowledgement).where(ErasureAcknowledgement.erasure_id.in_(erasure_ids))
    return list((await session.execute(stmt)).scalars().all())
