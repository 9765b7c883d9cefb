"""Every query of studies. No commits here: the caller's unit of work commits."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import Scope
from tuneline.training.jobs.tables import TrainingJob
from tuneline.training.studies.tables import TrainingStudy

RUNNING = "running"


async def add_study(session: AsyncSession, study: TrainingStudy) -> TrainingStudy:
    session.add(study)
    await session.flush()
    return study


async def get_study(session: AsyncSession, study_id: UUID, *, for_update: bool = False) -> TrainingStudy | None:
    return await session.get(TrainingStudy, study_id, with_for_update=for_update, populate_existing=for_update)


async def list_studies(
    session: AsyncSession, *, scope: Scope, usecase_id: UUID | None, status: str | None, limit: int, offset: int
) -> list[TrainingStudy]:
    stmt = sa.select(TrainingStudy)
    if not scope.all_teams:
        mine = sa.and_(TrainingStudy.team.is_(None), TrainingStudy.created_by == scope.subject)
        stmt = stmt.where(sa.or_(TrainingStudy.team == scope.team, mine) if scope.team is not None else mine)
    if usecase_id is not None:
        stmt = stmt.where(TrainingStudy.usecase_id == usecase_id)
    if status is not None:
        stmt = stmt.where(TrainingStudy.status == status)
    stmt = stmt.order_by(TrainingStudy.created_at.desc(), TrainingStudy.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars().all())


async def running_study_ids(session: AsyncSession) -> list[UUID]:
    stmt = sa.select(TrainingStudy.id).where(TrainingStudy.status == RUNNING).order_by(TrainingStudy.created_at)
    return list((await session.execute(stmt)).scalars().all())


async def trial_jobs(session: AsyncSession, study_id: UUID, *, for_update: bool = False) -> list[TrainingJob]:
    """The study's trial jobs in trial order (locked for update when asked: to stop them)."""
    stmt = sa.select(TrainingJob).where(TrainingJob.study_id == study_id).order_by(TrainingJob.trial_number)
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars().all())


async def trials_started(session: AsyncSession, study_ids: list[UUID]) -> dict[UUID, int]:
    if not study_ids:
        return {}
    stmt = (
        sa.select(TrainingJob.study_id, sa.func.count())
        .where(TrainingJob.study_id.in_(study_ids))
        .group_by(TrainingJob.study_id)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(stmt)).all()}
