"""Every query for deployments."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.events import utcnow
from tuneline.registry.deployments.tables import DeploymentRow, ServingSyncRow


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


#: Key of the transaction-level advisory lock every change to what serves takes (deployments, key sets,
#: policies, the reconciler): each apply hands Serve the complete desired set, so two transactions applying
#: side by side could put an older set back after a newer one. Lock order: model row, then this, then key rows.
SERVING_LOCK = 0x7475_6E65_7365_7276  # "tuneserv"


async def lock_serving(session: AsyncSession) -> None:
    await session.execute(sa.select(sa.func.pg_advisory_xact_lock(SERVING_LOCK)))


async def sync_state(session: AsyncSession) -> ServingSyncRow:
    row = await session.get(ServingSyncRow, 1, populate_existing=True)
    if row is None:  # the migration inserts it; a schema built another way gets it on first use
        row = ServingSyncRow(id=1)
        session.add(row)
        await session.flush()
    return row


async def request_sync(session: AsyncSession) -> int:
    """Record that serving must learn a change made in this transaction; returns the new desired revision."""
    row = await sync_state(session)
    row.desired_revision += 1
    if row.pending_since is None:
        row.pending_since = utcnow()
    await session.flush()
    return row.desired_revision


async def mark_applied(session: AsyncSession) -> None:
    """The runtime now serves the complete desired set read under the serving lock in this transaction."""
    row = await sync_state(session)
    row.applied_revision = row.desired_revision
    row.pending_since = None
    row.applied_at = row.last_attempt_at = utcnow()
    row.attempts = 0
    row.last_error = None
    await session.flush()


async def record_sync_failure(session: AsyncSession, error: str) -> None:
    row = await sync_state(session)
    row.attempts += 1
    row.last_error = error[:2000]
    row.last_attempt_at = utcnow()
    await session.flush()
