"""Every query of the training service. No commits here: the caller's unit of work commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import Scope
from tuneline.common.events import utcnow
from tuneline.training.jobs.states import ACTIVE, JobStatus
from tuneline.training.jobs.tables import (
    TrainingDatasetVersion,
    TrainingHardwareProfile,
    TrainingJob,
    TrainingJobLog,
    TrainingJobMetric,
    TrainingUseCase,
)

_ACTIVE = [s.value for s in ACTIVE]


async def get_usecase(session: AsyncSession, usecase_id: UUID) -> TrainingUseCase | None:
    return await session.get(TrainingUseCase, usecase_id)


async def upsert_usecase(session: AsyncSession, usecase: TrainingUseCase) -> None:
    await session.merge(usecase)


async def open_jobs_of(session: AsyncSession, usecase_id: UUID) -> list[TrainingJob]:
    """The use case's jobs that have not finished (queued, starting, running, paused), locked for update."""
    unfinished = [JobStatus.QUEUED.value, JobStatus.PAUSED.value, *_ACTIVE]
    stmt = (
        sa.select(TrainingJob)
        .where(TrainingJob.usecase_id == usecase_id, TrainingJob.status.in_(unfinished))
        .order_by(TrainingJob.created_at)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars().all())


async def get_dataset_version(session: AsyncSession, version_id: UUID) -> TrainingDatasetVersion | None:
    return await session.get(TrainingDatasetVersion, version_id)


async def add_dataset_version(session: AsyncSession, version: TrainingDatasetVersion) -> None:
    await session.merge(version)


async def latest_dataset_version(session: AsyncSession, usecase_id: UUID) -> TrainingDatasetVersion | None:
    stmt = (
        sa.select(TrainingDatasetVersion)
        .where(TrainingDatasetVersion.usecase_id == usecase_id)
        .order_by(TrainingDatasetVersion.received_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()


async def versions_without_jobs(session: AsyncSession, usecase_id: UUID) -> list[TrainingDatasetVersion]:
    has_job = sa.exists().where(TrainingJob.dataset_version_id == TrainingDatasetVersion.version_id)
    stmt = (
        sa.select(TrainingDatasetVersion)
        .where(TrainingDatasetVersion.usecase_id == usecase_id, ~has_job)
        .order_by(TrainingDatasetVersion.received_at.desc())
    )
    return list((await session.execute(stmt)).scalars().all())


async def add_job(session: AsyncSession, job: TrainingJob) -> TrainingJob:
    session.add(job)
    await session.flush()
    return job


async def get_job(session: AsyncSession, job_id: UUID, *, for_update: bool = False) -> TrainingJob | None:
    return await session.get(TrainingJob, job_id, with_for_update=for_update)


async def list_jobs(
    session: AsyncSession, *, scope: Scope, usecase_id: UUID | None, status: str | None, limit: int, offset: int
) -> list[TrainingJob]:
    stmt = sa.select(TrainingJob)
    if not scope.all_teams:
        # the caller's team's jobs, and the team-less jobs from before teams that the caller queued
        mine = sa.and_(TrainingJob.team.is_(None), TrainingJob.created_by == scope.subject)
        stmt = stmt.where(sa.or_(TrainingJob.team == scope.team, mine) if scope.team is not None else mine)
    if usecase_id is not None:
        stmt = stmt.where(TrainingJob.usecase_id == usecase_id)
    if status is not None:
        stmt = stmt.where(TrainingJob.status == status)
    stmt = stmt.order_by(TrainingJob.created_at.desc(), TrainingJob.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars().all())


async def latest_succeeded_job(session: AsyncSession, usecase_id: UUID) -> TrainingJob | None:
    stmt = (
        sa.select(TrainingJob)
        .where(TrainingJob.usecase_id == usecase_id, TrainingJob.status == JobStatus.SUCCEEDED.value)
        .order_by(TrainingJob.finished_at.desc().nulls_last(), TrainingJob.created_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()


async def claim_next_job(
    session: AsyncSession, worker: str, max_active: int, pool: str = "default"
) -> TrainingJob | None:
    """Take the most urgent queued job for `worker` of `pool`, if the pool runs fewer than `max_active` jobs.

    The limit is per worker pool (a pool: the workers of one kind of machine, e.g. GPU nodes), so one pool's busy
    workers never hold back another's. The advisory lock, one per pool, makes "count the pool's active jobs, then
    claim" atomic across its workers (otherwise two could both see room for one more); SKIP LOCKED lets claimers of
    every pool pass over a row another transaction is deciding about.
    """
    await session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"training.claim:{pool}"})
    active = await session.scalar(
        sa.select(sa.func.count())
        .select_from(TrainingJob)
        .where(TrainingJob.status.in_(_ACTIVE), TrainingJob.worker_pool == pool)
    )
    if (active or 0) >= max_active:
        return None
    stmt = (
        sa.select(TrainingJob)
        .where(TrainingJob.status == JobStatus.QUEUED.value)
        .order_by(TrainingJob.priority.desc(), TrainingJob.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job = (await session.execute(stmt)).scalars().first()
    if job is None:
        return None
    now = utcnow()
    job.status = JobStatus.STARTING.value
    job.worker = worker
    job.worker_pool = pool
    job.heartbeat_at = now
    job.updated_at = now
    job.attempts += 1
    return job


async def stale_jobs(session: AsyncSession, older_than: timedelta) -> list[TrainingJob]:
    cutoff = utcnow() - older_than
    stmt = (
        sa.select(TrainingJob)
        .where(TrainingJob.status.in_(_ACTIVE), TrainingJob.heartbeat_at < cutoff)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def heartbeat(session: AsyncSession, job_id: UUID, worker: str) -> tuple[str, str | None] | None:
    """Stamp the job as alive (only while this worker owns it); returns (status, requested_action)."""
    stmt = (
        sa.update(TrainingJob)
        .where(TrainingJob.id == job_id, TrainingJob.worker == worker)
        .values(heartbeat_at=utcnow())
        .returning(TrainingJob.status, TrainingJob.requested_action)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def add_metric(session: AsyncSession, metric: TrainingJobMetric) -> None:
    session.add(metric)


async def forget_metrics_after(session: AsyncSession, job_id: UUID, step: int) -> None:
    """A resumed job replays the steps after its checkpoint: drop the replaced points first."""
    await session.execute(
        sa.delete(TrainingJobMetric).where(TrainingJobMetric.job_id == job_id, TrainingJobMetric.step > step)
    )


async def list_metrics(session: AsyncSession, job_id: UUID, *, after_id: int = 0) -> list[TrainingJobMetric]:
    stmt = (
        sa.select(TrainingJobMetric)
        .where(TrainingJobMetric.job_id == job_id, TrainingJobMetric.id > after_id)
        .order_by(TrainingJobMetric.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def add_log(session: AsyncSession, job_id: UUID, message: str, level: str = "info") -> None:
    session.add(TrainingJobLog(job_id=job_id, message=message, level=level))


async def list_logs(session: AsyncSession, job_id: UUID) -> list[TrainingJobLog]:
    stmt = sa.select(TrainingJobLog).where(TrainingJobLog.job_id == job_id).order_by(TrainingJobLog.id)
    return list((await session.execute(stmt)).scalars().all())


async def hardware_overrides(session: AsyncSession) -> dict[str, TrainingHardwareProfile]:
    rows = (await session.execute(sa.select(TrainingHardwareProfile))).scalars().all()
    return {row.name: row for row in rows}


async def save_hardware_profile(session: AsyncSession, name: str, effective_tflops: float, measurements: int) -> None:
    await session.merge(
        TrainingHardwareProfile(
            name=name, effective_tflops=effective_tflops, measurements=measurements, updated_at=utcnow()
        )
    )


async def delete_dataset_versions(session: AsyncSession, version_ids: Collection[UUID]) -> int:
    stmt = sa.delete(TrainingDatasetVersion).where(TrainingDatasetVersion.version_id.in_(version_ids))
    return int((await session.execute(stmt)).rowcount or 0)  # type: ignore[attr-defined]


async def jobs_on_versions(session: AsyncSession, version_ids: Collection[UUID]) -> list[TrainingJob]:
    """Jobs trained (or validated) on any of `version_ids`, locked for update."""
    stmt = (
        sa.select(TrainingJob)
        .where(
            sa.or_(
                TrainingJob.dataset_version_id.in_(version_ids),
                TrainingJob.validation_dataset_version_id.in_(version_ids),
            )
        )
        .order_by(TrainingJob.created_at)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars().all())
