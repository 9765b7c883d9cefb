"""Who may see an evaluation: the platform's rule (`tuneline.common.access`) plus the data service's record rule.

An evaluation belongs to its use case's team. Its metadata, decision and review aggregates need a known role in
that team. Its records (the report with held-out inputs, references and base/tuned outputs; the review items) follow
the data service's content rule: for regulated or proprietary use cases only the team's data owners and reviewers
(reviewing is their job) see them; otherwise any known role of the team. Admins see every team's evaluations; an
evaluation from before teams has no owner and is the admins' alone. Refusals are 403 and audited
(``access.denied``).
"""

from __future__ import annotations

from tuneline.common import access
from tuneline.common.access import KNOWN_ROLES
from tuneline.common.auth import Principal, Role
from tuneline.evaluation.evaluations.tables import EvaluationRun, EvaluationUseCase

RESOURCE = "evaluation"
#: Who sees the records of a regulated or proprietary use case (the data service's owners, plus reviewers).
SENSITIVE_RECORD_ROLES = (Role.DATA_OWNER, Role.REVIEWER, Role.SERVICE)


def ensure_can_read(user: Principal, run: EvaluationRun) -> None:
    access.ensure(user, roles=KNOWN_ROLES, team=run.team, action="read", resource_type=RESOURCE, resource_id=run.id)


def ensure_can_read_records(user: Principal, run: EvaluationRun, usecase: EvaluationUseCase | None) -> None:
    sensitivity = usecase.sensitivity if usecase else {}
    sensitive = bool(sensitivity.get("regulatory") or sensitivity.get("proprietary"))
    access.ensure(
        user,
        roles=SENSITIVE_RECORD_ROLES if sensitive else KNOWN_ROLES,
        team=run.team,
        action="read the records of" if not sensitive else "read the regulated or proprietary records of",
        resource_type=RESOURCE,
        resource_id=run.id,
    )


def ensure_can_review(user: Principal, run: EvaluationRun) -> None:
    access.ensure(
        user, roles=(Role.REVIEWER,), team=run.team, action="review", resource_type=RESOURCE, resource_id=run.id
    )
