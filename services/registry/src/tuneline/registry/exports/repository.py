"""Every query for exports: the request's existing export, listings, the runner's claim, stamps and reaping."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.events import utcnow
from tuneline.registry.exports.tables import ExportRow


async def get(session: AsyncSession, export_id: UUID, *, lock: bool = False) -> ExportRow | None:
    stmt = sa.select(ExportRow).where(ExportRow.id == export_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def find(session: AsyncSession, version_id: UUID, format_: str, quantization: str | None) -> ExportRow | None:
    stmt = sa.select(ExportRow).where(
        ExportRow.version_id == version_id,
        ExportRow.format == format_,
        sa.func.coalesce(ExportRow.quantization, "") == (quantization or ""),
    )
    return (await session.execute(stmt.with_for_update())).scalar_one_or_none()


async def of_version(session: AsyncSession, version_id: UUID) -> list[ExportRow]:
    stmt = sa.select(ExportRow).where(ExportRow.version_id == version_id).order_by(ExportRow.created_at)
    return list((await session.execute(stmt)).scalars().all())


async def of_versions(session: AsyncSession, version_ids: Iterable[UUID]) -> list[ExportRow]:
    ids = list(version_ids)
    if not ids:
        return []
    stmt = sa.select(ExportRow).where(ExportRow.version_id.in_(ids)).order_by(ExportRow.created_at)
    return list((await session.execute(stmt.with_for_update())).scalars().all())


async def claim_next(session: AsyncSession, worker: str, now: datetime | None = None) -> ExportRow | None:
    """The oldest queued export, locked so two runners (registry replicas) never take the same one."""
    stmt = (
        sa.select(ExportRow)
        .where(ExportRow.status == "queued")
        .order_by(ExportRow.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    row = (await session.execute(stmt)).scalars().first()
    if row is None:
        return None
    moment = now or utcnow()
    row.status = "running"
    row.worker = worker
    row.attempts += 1
    row.heartbeat_at = moment
    row.started_at = moment
    row.updated_at = moment
    return row


async def stale(session: AsyncSession, older_than: timedelta) -> list[ExportRow]:
    """Running exports whose runner stopped stamping them (registry restarted or lost)."""
    stmt = (
        sa.select(ExportRow)
        .where(ExportRow.status == "running")
        .where(ExportRow.heartbeat_at < utcnow() - older_than)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def heartbeat(session: AsyncSession, export_id: UUID, worker: str) -> bool:
    """Stamp the export if this runner still owns it; False when it was taken over or erased."""
    stmt = (
        sa.update(ExportRow)
        .where(ExportRow.id == export_id, ExportRow.worker == worker, ExportRow.status == "running")
        .values(heartbeat_at=utcnow())
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]
