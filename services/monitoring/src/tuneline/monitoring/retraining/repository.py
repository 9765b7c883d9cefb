"""Every query of the retraining policies and of the decisions that acted."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.monitoring.retraining.tables import RetrainActionRow, RetrainPolicyRow


async def lock_usecase(session: AsyncSession, usecase_id: UUID) -> None:
    """Serialise retrain decisions per use case for the rest of the transaction (replicas, loops)."""
    await session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"retrain:{usecase_id}"})


async def get_policy(session: AsyncSession, usecase_id: UUID) -> RetrainPolicyRow | None:
    return await session.get(RetrainPolicyRow, usecase_id)


async def add(session: AsyncSession, row: RetrainPolicyRow | RetrainActionRow) -> None:
    session.add(row)
    await session.flush()


async def scheduled_policies(session: AsyncSession) -> list[RetrainPolicyRow]:
    """Enabled policies that ask for periodic retraining."""
    stmt = (
        sa.select(RetrainPolicyRow)
        .where(RetrainPolicyRow.enabled.is_(True), RetrainPolicyRow.schedule_every_seconds.is_not(None))
        .order_by(RetrainPolicyRow.usecase_id)
    )
    return list((await session.execute(stmt)).scalars())


async def action_times(session: AsyncSession, usecase_id: UUID, since: datetime) -> list[datetime]:
    stmt = sa.select(RetrainActionRow.decided_at).where(
        RetrainActionRow.usecase_id == usecase_id,
        RetrainActionRow.decided_at >= since,
    )
    return list((await session.execute(stmt)).scalars())


async def last_action_at(session: AsyncSession, usecase_id: UUID, trigger: str) -> datetime | None:
    stmt = sa.select(sa.func.max(RetrainActionRow.decided_at)).where(
        RetrainActionRow.usecase_id == usecase_id, RetrainActionRow.trigger == trigger
    )
    value: datetime | None = (await session.execute(stmt)).scalar_one()
    return value


async def list_actions(session: AsyncSession, usecase_id: UUID | None, limit: int = 200) -> list[RetrainActionRow]:
    stmt = sa.select(RetrainActionRow).order_by(RetrainActionRow.decided_at.desc()).limit(limit)
    if usecase_id is not None:
        stmt = stmt.where(RetrainActionRow.usecase_id == usecase_id)
    return list((await session.execute(stmt)).scalars())
