"""Who may see or steer a training job: the platform's rule (`tuneline.common.access`) applied to jobs.

A job belongs to its use case's team. Reading a job (its progress, metrics, log, stream) needs a known role in that
team; queueing, cancelling, pausing and resuming need ml_engineer in that team. Admins act on every team's jobs.
A job from before teams (no team) is its creator's alone. Refusals are 403 and audited (``access.denied``); a job's
existence is not treated as private (its id is a random UUID, and a 404 would hide nothing worth hiding).
"""

from __future__ import annotations

from tuneline.common import access
from tuneline.common.access import KNOWN_ROLES
from tuneline.common.auth import Principal, Role
from tuneline.training.jobs.tables import TrainingJob, TrainingUseCase

RESOURCE = "training_job"


def ensure_can_read(user: Principal, job: TrainingJob) -> None:
    access.ensure(
        user,
        roles=KNOWN_ROLES,
        team=job.team,
        owner=job.created_by,
        action="read",
        resource_type=RESOURCE,
        resource_id=job.id,
    )


def ensure_can_control(user: Principal, job: TrainingJob, action: str) -> None:
    access.ensure(
        user,
        roles=(Role.ML_ENGINEER,),
        team=job.team,
        owner=job.created_by,
        action=action,
        resource_type=RESOURCE,
        resource_id=job.id,
    )


def ensure_can_train(user: Principal, usecase: TrainingUseCase | None, dataset_version_id: object) -> None:
    """Queue a job on a dataset version: ml_engineer in the version's use case's team."""
    access.ensure(
        user,
        roles=(Role.ML_ENGINEER,),
        team=usecase.team if usecase else None,
        action="train on",
        resource_type="dataset_version",
        resource_id=dataset_version_id,
    )
