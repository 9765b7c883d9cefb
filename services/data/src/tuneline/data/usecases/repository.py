"""Every query on data_usecases."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.data.usecases.tables import DataUseCase


async def get(session: AsyncSession, usecase_id: UUID, *, for_update: bool = False) -> DataUseCase | None:
    if not for_update:
        return await session.get(DataUseCase, usecase_id)
    stmt = sa.select(DataUseCase).where(DataUseCase.usecase_id == usecase_id).with_for_update()
    return (await session.execute(stmt)).scalars().first()


async def save(session: AsyncSession, usecase: DataUseCase) -> None:
    session.add(usecase)
    await session.flush()
