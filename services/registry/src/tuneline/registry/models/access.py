"""Who may see and act on a registered model: the platform's rule (`tuneline.common.access`), role x team.

A model belongs to its use case's team (evaluation.completed carries it); its versions, lineage, model cards,
aliases, deployment and policy inherit it. Reading any of them needs a known role in that team; a change needs the
route's roles in that team (stage transitions, aliases, cards, deploy, canary weight, promote, blue/green:
ml_engineer; rollback and stop: ml_engineer or sre; reviews: reviewer; the policy: admin). Listings show the
caller's team's models only. Admins reach every team's models and service accounts pass the team check; a model
registered before models carried a team has no owner and is the admins' alone. Refusals are 403 and audited
(``access.denied``) by the app factory.
"""

from __future__ import annotations

from collections.abc import Iterable

from tuneline.common import access
from tuneline.common.access import KNOWN_ROLES
from tuneline.common.auth import Principal, Role
from tuneline.registry.models.tables import ModelRow

RESOURCE = "model"


def ensure_can(user: Principal, row: ModelRow, action: str, roles: Iterable[Role] = KNOWN_ROLES) -> None:
    """Raise `AccessDenied` (403, audited) unless `user` holds one of `roles` in the model's team."""
    access.ensure(user, roles=roles, team=row.team, action=action, resource_type=RESOURCE, resource_id=row.name)


def may_see(user: Principal, row: ModelRow) -> bool:
    """Whether the model is in `user`'s listings (any known role of its team, or an admin or service)."""
    return access.why_not(user, KNOWN_ROLES, row.team) is None
