"""Who may see or steer a study: the jobs' rule (`tuneline.training.jobs.access`) applied to studies.

A study belongs to its use case's team. Reading it needs a known role in that team; creating and cancelling need
ml_engineer in that team (creating is checked on the dataset version, as for a job). Admins act on every team's
studies. Refusals are 403 and audited (``access.denied``).
"""

from __future__ import annotations

from tuneline.common import access
from tuneline.common.access import KNOWN_ROLES
from tuneline.common.auth import Principal, Role
from tuneline.training.studies.tables import TrainingStudy

RESOURCE = "training_study"


def ensure_can_read(user: Principal, study: TrainingStudy) -> None:
    access.ensure(
        user,
        roles=KNOWN_ROLES,
        team=study.team,
        owner=study.created_by,
        action="read",
        resource_type=RESOURCE,
        resource_id=study.id,
    )


def ensure_can_control(user: Principal, study: TrainingStudy, action: str) -> None:
    access.ensure(
        user,
        roles=(Role.ML_ENGINEER,),
        team=study.team,
        owner=study.created_by,
        action=action,
        resource_type=RESOURCE,
        resource_id=study.id,
    )
