"""Every query for evaluations, their review items and ratings, use-case facts and loss points."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import Scope
from tuneline.common.events import utcnow
from tuneline.evaluation.evaluations.tables import (
    EvaluationLossPoint,
    EvaluationRating,
    EvaluationReviewItem,
    EvaluationRun,
    EvaluationUseCase,
)


async def get_usecase(session: AsyncSession, usecase_id: UUID) -> EvaluationUseCase | None:
    return await session.get(EvaluationUseCase, usecase_id)


async def upsert_usecase(session: AsyncSession, usecase: EvaluationUseCase) -> None:
    await session.merge(usecase)


async def add_loss_point(
    session: AsyncSession, job_id: UUID, step: int, train_loss: float | None, val_loss: float | None
) -> None:
    """A re-sent step (a resumed job repeats steps after its last checkpoint) replaces the earlier point."""
    stmt = insert(EvaluationLossPoint).values(job_id=job_id, step=step, train_loss=train_loss, val_loss=val_loss)
    await session.execute(
        stmt.on_conflict_do_update(
            constraint="evaluation_loss_points_job_step",
            set_={"train_loss": stmt.excluded.train_loss, "val_loss": stmt.excluded.val_loss},
        )
    )


async def loss_points(session: AsyncSession, job_id: UUID) -> list[EvaluationLossPoint]:
    stmt = sa.select(EvaluationLossPoint).where(EvaluationLossPoint.job_id == job_id).order_by("step")
    return list((await session.execute(stmt)).scalars().all())


async def get_run(session: AsyncSession, evaluation_id: UUID, *, for_update: bool = False) -> EvaluationRun | None:
    return await session.get(EvaluationRun, evaluation_id, with_for_update=for_update)


async def get_run_for_job(session: AsyncSession, job_id: UUID) -> EvaluationRun | None:
    stmt = sa.select(EvaluationRun).where(EvaluationRun.job_id == job_id)
    return (await session.execute(stmt)).scalars().first()


async def add_run_once(session: AsyncSession, run: EvaluationRun) -> bool:
    """Insert unless the job already has an evaluation (two deliveries racing): True when inserted."""
    values = {c.name: getattr(run, c.name) for c in EvaluationRun.__table__.columns}
    stmt = insert(EvaluationRun).values(**values).on_conflict_do_nothing(index_elements=["job_id"])
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def list_runs(
    session: AsyncSession, *, scope: Scope, usecase_id: UUID | None, status: str | None, limit: int, offset: int
) -> list[EvaluationRun]:
    stmt = sa.select(EvaluationRun).order_by(sa.desc(EvaluationRun.created_at))
    if not scope.all_teams:
        # team-less runs (from before teams) have no owner: admins only
        stmt = stmt.where(EvaluationRun.team == scope.team) if scope.team is not None else stmt.where(sa.false())
    if usecase_id is not None:
        stmt = stmt.where(EvaluationRun.usecase_id == usecase_id)
    if status is not None:
        stmt = stmt.where(EvaluationRun.status == status)
    return list((await session.execute(stmt.limit(limit).offset(offset))).scalars().all())


async def claim_next_run(session: AsyncSession, worker: str, now: datetime | None = None) -> EvaluationRun | None:
    """Oldest queued evaluation, locked so two runners never take the same one."""
    stmt = (
        sa.select(EvaluationRun)
        .where(EvaluationRun.status == "queued")
        .order_by(EvaluationRun.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    run = (await session.execute(stmt)).scalars().first()
    if run is None:
        return None
    moment = now or utcnow()
    run.status = "running"
    run.worker = worker
    run.attempts += 1
    run.heartbeat_at = moment
    run.started_at = run.started_at or moment
    return run


async def stale_runs(session: AsyncSession, older_than: timedelta) -> list[EvaluationRun]:
    stmt = (
        sa.select(EvaluationRun)
        .where(EvaluationRun.status == "running")
        .where(EvaluationRun.heartbeat_at < utcnow() - older_than)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def heartbeat(session: AsyncSession, evaluation_id: UUID, worker: str) -> bool:
    """Stamp the run if this worker still owns it; False when it was taken over."""
    stmt = (
        sa.update(EvaluationRun)
        .where(EvaluationRun.id == evaluation_id)
        .where(EvaluationRun.worker == worker)
        .where(EvaluationRun.status == "running")
        .values(heartbeat_at=utcnow())
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add_review_items(session: AsyncSession, items: Sequence[EvaluationReviewItem]) -> None:
    session.add_all(items)


async def review_items(session: AsyncSession, evaluation_id: UUID) -> list[EvaluationReviewItem]:
    stmt = (
        sa.select(EvaluationReviewItem)
        .where(EvaluationReviewItem.evaluation_id == evaluation_id)
        .order_by(EvaluationReviewItem.item_id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def upsert_rating(session: AsyncSession, rating: EvaluationRating) -> None:
    values = {c.name: getattr(rating, c.name) for c in EvaluationRating.__table__.columns}
    stmt = insert(EvaluationRating).values(**values)
    replaced = {
        name: stmt.excluded[name]
        for name in ("relevance", "correctness", "style_match", "helpfulness", "safe", "comment", "created_at")
    }
    await session.execute(stmt.on_conflict_do_update(constraint="evaluation_ratings_once", set_=replaced))


async def ratings(session: AsyncSession, evaluation_id: UUID) -> list[EvaluationRating]:
    stmt = sa.select(EvaluationRating).where(EvaluationRating.evaluation_id == evaluation_id)
    return list((await session.execute(stmt)).scalars().all())


async def runs_on_versions(session: AsyncSession, version_ids: Sequence[UUID]) -> list[EvaluationRun]:
    """Evaluations of jobs trained on any of `version_ids`, locked for update."""
    stmt = sa.select(EvaluationRun).where(EvaluationRun.dataset_version_id.in_(version_ids)).with_for_update()
    return list((await session.execute(stmt)).scalars().all())


async def delete_review_of(session: AsyncSession, evaluation_id: UUID) -> tuple[int, int]:
    """Delete an evaluation's review items and ratings; (items, ratings) deleted."""
    items = await session.execute(
        sa.delete(EvaluationReviewItem).where(EvaluationReviewItem.evaluation_id == evaluation_id)
    )
    ratings = await session.execute(sa.delete(EvaluationRating).where(EvaluationRating.evaluation_id == evaluation_id))
    return int(items.rowcount or 0), int(ratings.rowcount or 0)  # type: ignore[attr-defined]
