"""Every query of monitoring's view of deployments."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.monitoring.models.tables import MonitoredModelRow


async def get_model(session: AsyncSession, name: str, *, lock: bool = False) -> MonitoredModelRow | None:
    return await session.get(MonitoredModelRow, name, with_for_update=lock)


async def all_models(session: AsyncSession) -> list[MonitoredModelRow]:
    stmt = sa.select(MonitoredModelRow).order_by(MonitoredModelRow.model_name)
    return list((await session.execute(stmt)).scalars())


async def models_of_usecase(session: AsyncSession, usecase_id: UUID) -> list[MonitoredModelRow]:
    stmt = (
        sa.select(MonitoredModelRow)
        .where(MonitoredModelRow.usecase_id == usecase_id)
        .order_by(MonitoredModelRow.model_name)
    )
    return list((await session.execute(stmt)).scalars())


async def models_of_team(session: AsyncSession, team: str) -> list[MonitoredModelRow]:
    stmt = sa.select(MonitoredModelRow).where(MonitoredModelRow.team == team).order_by(MonitoredModelRow.model_name)
    return list((await session.execute(stmt)).scalars())


async def add(session: AsyncSession, row: MonitoredModelRow) -> None:
    session.add(row)
    await session.flush()
