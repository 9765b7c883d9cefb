"""Every query intake makes on its tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from tuneline.common.access import Scope
from tuneline.common.db import AuditRecord, DeadLetterRecord, OutboxRecord
from tuneline.intake.usecases.tables import CommentRow, TimelineRow, UseCaseErasureRow, UseCaseRow

ACTIVE_STATUSES = ("approved", "in_progress", "deployed")

U = UseCaseRow


@dataclass(frozen=True)
class PortfolioFilter:
    industry: str | None = None
    business_unit: str | None = None
    statuses: Sequence[str] = ()
    #: What the caller may see: every team (admins, services), or its team's use cases plus its own team-less ones.
    scope: Scope | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        clauses: list[sa.ColumnElement[bool]] = []
        if self.scope is not None and not self.scope.all_teams:
            mine = sa.and_(U.team.is_(None), U.submitter == self.scope.subject)
            clauses.append(sa.or_(U.team == self.scope.team, mine) if self.scope.team else mine)
        if self.industry is not None:
            clauses.append(U.industry == self.industry)
        if self.business_unit is not None:
            clauses.append(U.business_unit == self.business_unit)
        if self.statuses:
            clauses.append(U.status.in_(self.statuses))
        return clauses


# A list needs neither the form nor the stored assessment: leaving those JSONB columns behind keeps pages small.
_LIST_OPTIONS = (defer(U.form), defer(U.assessment), defer(U.rice_overrides))


async def add(session: AsyncSession, row: UseCaseRow) -> UseCaseRow:
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, usecase_id: UUID, *, for_update: bool = False) -> UseCaseRow | None:
    stmt = sa.select(U).where(U.id == usecase_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_by_external_ref(session: AsyncSession, source_system: str, external_ref: str) -> UseCaseRow | None:
    stmt = sa.select(U).where(U.source_system == source_system, U.external_ref == external_ref)
    return (await session.execute(stmt)).scalar_one_or_none()


async def _page(
    session: AsyncSession, where: list[sa.ColumnElement[bool]], order: Sequence[Any], *, limit: int, offset: int
) -> tuple[list[UseCaseRow], int]:
    """Deferred join: the page's ids come from an index-only scan (skipping `offset` entries costs index reads,
    not heap reads of wide rows), then only those rows are loaded, in the same order."""
    page_ids = sa.select(U.id).where(*where).order_by(*order).limit(limit).offset(offset).subquery()
    stmt = sa.select(U).options(*_LIST_OPTIONS).join(page_ids, U.id == page_ids.c.id).order_by(*order)
    rows = list((await session.execute(stmt)).scalars().all())
    total = (await session.execute(sa.select(sa.func.count()).select_from(U).where(*where))).scalar_one()
    return rows, int(total)


async def portfolio_page(
    session: AsyncSession, filters: PortfolioFilter, *, limit: int, offset: int
) -> tuple[list[UseCaseRow], int]:
    """Ranked by RICE score, highest first, unscored last; ties broken by id so pages never overlap."""
    order = (U.rice_score.desc().nulls_last(), U.id)
    return await _page(session, filters.where(), order, limit=limit, offset=offset)


async def active_page(
    session: AsyncSession, filters: PortfolioFilter, *, limit: int, offset: int
) -> tuple[list[UseCaseRow], int]:
    """Use cases in delivery, the most recently moved first."""
    where = [*filters.where(), U.status.in_(ACTIVE_STATUSES)]
    order = (U.last_event_at.desc().nulls_last(), U.id)
    return await _page(session, where, order, limit=limit, offset=offset)


async def count_by_status(session: AsyncSession, filters: PortfolioFilter) -> dict[str, int]:
    stmt = sa.select(U.status, sa.func.count()).where(*filters.where()).group_by(U.status)
    return {status: int(n) for status, n in (await session.execute(stmt)).all()}


async def add_comment(session: AsyncSession, comment: CommentRow) -> CommentRow:
    session.add(comment)
    await session.flush()
    return comment


async def comments(session: AsyncSession, usecase_id: UUID) -> list[CommentRow]:
    stmt = (
        sa.select(CommentRow).where(CommentRow.usecase_id == usecase_id).order_by(CommentRow.created_at, CommentRow.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def add_timeline(session: AsyncSession, entry: TimelineRow) -> None:
    session.add(entry)
    await session.flush()


async def timeline(session: AsyncSession, usecase_id: UUID) -> list[TimelineRow]:
    stmt = (
        sa.select(TimelineRow)
        .where(TimelineRow.usecase_id == usecase_id)
        .order_by(TimelineRow.occurred_at, TimelineRow.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def history(session: AsyncSession, usecase_id: UUID) -> list[AuditRecord]:
    stmt = (
        sa.select(AuditRecord)
        .where(AuditRecord.resource_type == "usecase", AuditRecord.resource_id == str(usecase_id))
        .order_by(AuditRecord.occurred_at, AuditRecord.id)
    )
    return list((await session.execute(stmt)).scalars().all())


# ----------------------------------------------------------------------------------------------------- erasure


async def erased_datasets_on_timeline(session: AsyncSession, usecase_id: UUID) -> dict[str, str]:
    """Datasets of the use case erased before it was (whole-dataset `dataset.erased` on its timeline): id -> erasure."""
    stmt = sa.select(TimelineRow.payload).where(
        TimelineRow.usecase_id == usecase_id, TimelineRow.type == "dataset.erased"
    )
    payloads = (await session.execute(stmt)).scalars().all()
    return {str(p["dataset_id"]): str(p["erasure_id"]) for p in payloads if p.get("whole_dataset")}


async def delete_usecase(session: AsyncSession, row: UseCaseRow) -> dict[str, int]:
    """Delete the use case and everything intake stores about it: comments, timeline, the sent outbox rows and dead
    letters keyed by it (events staged in this transaction are unsent and stay). Returns how many rows, by kind."""
    key = str(row.id)

    async def gone(stmt: sa.Delete) -> int:
        return int((await session.execute(stmt)).rowcount or 0)  # type: ignore[attr-defined]

    counts = {
        "comments": await gone(sa.delete(CommentRow).where(CommentRow.usecase_id == row.id)),
        "timeline": await gone(sa.delete(TimelineRow).where(TimelineRow.usecase_id == row.id)),
        "outbox": await gone(sa.delete(OutboxRecord).where(OutboxRecord.key == key, OutboxRecord.sent_at.is_not(None))),
        "dead_letters": await gone(sa.delete(DeadLetterRecord).where(DeadLetterRecord.key == key)),
    }
    await session.delete(row)
    await session.flush()
    counts["usecases"] = 1
    return counts


async def add_erasure(session: AsyncSession, erasure: UseCaseErasureRow) -> UseCaseErasureRow:
    session.add(erasure)
    await session.flush()
    return erasure


async def get_erasure(session: AsyncSession, usecase_id: UUID, *, for_update: bool = False) -> UseCaseErasureRow | None:
    stmt = sa.select(UseCaseErasureRow).where(UseCaseErasureRow.usecase_id == usecase_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
