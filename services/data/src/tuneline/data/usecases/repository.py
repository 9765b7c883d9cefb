"""Every query on data_usecases."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.data.usecases.tables import DataUseCase


async def get(session: AsyncSession, usecase_id: UUID) -> DataUseCase | None:
    return await session.get(DataUseCase, usecase_id)


async def save(session: AsyncSession, usecase: DataUseCase) -> None:
    session.add(usecase)
    await session.flush()
