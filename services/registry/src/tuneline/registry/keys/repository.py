"""Every query for inference API keys."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.registry.keys.tables import ApiKeyRow


async def add(session: AsyncSession, row: ApiKeyRow) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, prefix: str, *, lock: bool = False) -> ApiKeyRow | None:
    stmt = sa.select(ApiKeyRow).where(ApiKeyRow.prefix == prefix)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_keys(session: AsyncSession, prefix: str | None, model: str | None, limit: int) -> list[ApiKeyRow]:
    stmt = sa.select(ApiKeyRow).order_by(ApiKeyRow.created_at.desc())
    if prefix:
        stmt = stmt.where(ApiKeyRow.prefix.startswith(prefix))
    if model:
        stmt = stmt.where(ApiKeyRow.models.contains([model]))
    return list((await session.execute(stmt.limit(limit))).scalars())


async def for_model(session: AsyncSession, model: str) -> list[ApiKeyRow]:
    """Keys a router of `model` must know: scoped to it, including revoked ones (so they fail as 'revoked')."""
    stmt = sa.select(ApiKeyRow).where(ApiKeyRow.models.contains([model]))
    return list((await session.execute(stmt)).scalars())
