"""Every query for deployments."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.registry.deployments.tables import DeploymentRow


async def for_model(session: AsyncSession, model_id: UUID, *, lock: bool = False) -> DeploymentRow | None:
    stmt = sa.select(DeploymentRow).where(DeploymentRow.model_id == model_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def active(session: AsyncSession) -> list[DeploymentRow]:
    """Deployments that should be serving (the complete desired set Serve is given on every apply)."""
    stmt = sa.select(DeploymentRow).where(DeploymentRow.status != "stopped").order_by(DeploymentRow.id)
    return list((await session.execute(stmt)).scalars())


async def add(session: AsyncSession, row: DeploymentRow) -> None:
    session.add(row)
    await session.flush()
