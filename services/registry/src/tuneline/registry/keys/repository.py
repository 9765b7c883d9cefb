"""Every query for inference API keys."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.registry.keys.tables import ApiKeyRow, RateWindowRow


async def add(session: AsyncSession, row: ApiKeyRow) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, prefix: str, *, lock: bool = False) -> ApiKeyRow | None:
    stmt = sa.select(ApiKeyRow).where(ApiKeyRow.prefix == prefix)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_keys(
    session: AsyncSession, prefix: str | None, model: str | None, limit: int, *, owner: str | None
) -> list[ApiKeyRow]:
    """Newest first; `owner` None lists everyone's keys."""
    stmt = sa.select(ApiKeyRow).order_by(ApiKeyRow.created_at.desc())
    if owner is not None:
        stmt = stmt.where(ApiKeyRow.owner == owner)
    if prefix:
        stmt = stmt.where(ApiKeyRow.prefix.startswith(prefix))
    if model:
        stmt = stmt.where(ApiKeyRow.models.contains([model]))
    return list((await session.execute(stmt.limit(limit))).scalars())


async def for_model(session: AsyncSession, model: str) -> list[ApiKeyRow]:
    """Keys a router of `model` must know: scoped to it, including revoked ones (so they fail as 'revoked')."""
    stmt = sa.select(ApiKeyRow).where(ApiKeyRow.models.contains([model]))
    return list((await session.execute(stmt)).scalars())


async def bound_to(session: AsyncSession, usecase_id: UUID) -> list[ApiKeyRow]:
    """Live keys bound to the use case, locked for update."""
    stmt = (
        sa.select(ApiKeyRow).where(ApiKeyRow.usecase_id == usecase_id, ApiKeyRow.revoked_at.is_(None)).with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


async def count_hit(session: AsyncSession, prefix: str, window: int) -> int:
    """One request of `prefix` in `window`: an atomic upsert, so concurrent replicas never lose a count."""
    upsert = insert(RateWindowRow).values(prefix=prefix, window_start=window, hits=1)
    stmt = upsert.on_conflict_do_update(
        index_elements=[RateWindowRow.prefix, RateWindowRow.window_start],
        set_={"hits": RateWindowRow.hits + 1},
    ).returning(RateWindowRow.hits)
    return int((await session.execute(stmt)).scalar_one())


async def prune_windows(session: AsyncSession, before: int) -> None:
    await session.execute(sa.delete(RateWindowRow).where(RateWindowRow.window_start < before))
