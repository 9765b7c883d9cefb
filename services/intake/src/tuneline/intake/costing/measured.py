"""Training throughput measured on finished jobs, folded into the shared cost model's profile.

Training reports every finished job (``job.completed``: the profile it ran on, the model's parameter count, the
method that ran, tokens trained and seconds spent training). Intake folds it in with the same rule the training
service uses (``tuneline.common.costing.fold_measurement``), so the next use case's estimate and the training
service's estimate of a job move together.
"""

from __future__ import annotations

from dataclasses import replace

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.costing import HardwareProfile, default_profile, fold_measurement
from tuneline.common.events import JobCompleted, utcnow
from tuneline.intake.costing import repository
from tuneline.intake.costing.estimate import CostAssumptions
from tuneline.intake.costing.tables import MeasuredThroughputRow

log = structlog.get_logger(__name__)


async def current_profile(session: AsyncSession, profile: HardwareProfile) -> HardwareProfile:
    """``profile`` with the throughput measured so far in place of its starting figure."""
    row = await repository.measured(session, profile.name)
    if row is None:
        return profile
    return replace(profile, effective_tflops=row.effective_tflops, measurements=row.measurements)


async def current_assumptions(session: AsyncSession, assumptions: CostAssumptions) -> CostAssumptions:
    return replace(assumptions, training_hardware=await current_profile(session, assumptions.training_hardware))


async def record_finished_job(session: AsyncSession, event: JobCompleted) -> HardwareProfile | None:
    """Fold a finished job's measured throughput in; a job that cannot be measured changes nothing."""
    if not event.hardware_profile or not event.parameters or event.trained_tokens <= 0 or event.train_seconds <= 0:
        return None
    try:
        start = default_profile(event.hardware_profile)
    except KeyError:
        log.warning("intake.cost.unknown_profile", job_id=str(event.job_id), profile=event.hardware_profile)
        return None
    row = await repository.measured(session, start.name, for_update=True)
    current = (
        start if row is None else replace(start, effective_tflops=row.effective_tflops, measurements=row.measurements)
    )
    updated = fold_measurement(
        current,
        params=event.parameters,
        method=event.method,
        tokens=event.trained_tokens,
        seconds=event.train_seconds,
    )
    if row is None:
        repository.add(
            session,
            MeasuredThroughputRow(
                profile=updated.name, effective_tflops=updated.effective_tflops, measurements=updated.measurements
            ),
        )
    else:
        row.effective_tflops, row.measurements, row.updated_at = (
            updated.effective_tflops,
            updated.measurements,
            utcnow(),
        )
    log.info("intake.cost.throughput_measured", job_id=str(event.job_id), profile=updated.name)
    return updated
