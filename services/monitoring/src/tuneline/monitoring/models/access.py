"""Who may see a model's monitoring: the platform's rule (`tuneline.common.access`), role x team.

Monitoring learns each served model's team from deployment.updated (the registry's model carries its use case's
team). A model's figures, time series, costs, alerts and alert rules, drift reports, quality, feedback and advice
are its team's: any known role of the team reads them; acknowledging or resolving its alerts and changing its rules
needs sre or ml_engineer in the team; its use case's retraining policy ml_engineer in the team. Listings show the
caller's team's models only. A use case's team is that of the models serving it.

Admins see every team's and service accounts pass the team check. An SRE is a team role like any other: an SRE of
another team sees nothing of a team's models (403 for a named one, nothing in listings); platform-wide on-call is
the admin role, the only cross-team one. A model monitoring has not heard of from the registry (or one announced
before events carried a team) has no team and is the admins' alone, as is an alert rule for no model in particular,
which applies to every team's models. Refusals are 403 and audited (``access.denied``) by the app factory.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import access
from tuneline.common.access import KNOWN_ROLES, scope_of
from tuneline.common.auth import Principal, Role
from tuneline.monitoring.models import repository
from tuneline.monitoring.models.tables import MonitoredModelRow

#: Acknowledge and resolve alerts, change alert rules.
OPERATORS: tuple[Role, ...] = (Role.SRE, Role.ML_ENGINEER)


async def ensure_model(
    session: AsyncSession,
    user: Principal,
    model: str,
    action: str = "read the monitoring of",
    roles: Iterable[Role] = KNOWN_ROLES,
) -> MonitoredModelRow | None:
    """Raise `AccessDenied` unless `user` holds one of `roles` in `model`'s team; returns what monitoring knows."""
    row = await repository.get_model(session, model)
    access.ensure(
        user, roles=roles, team=row.team if row else None, action=action, resource_type="model", resource_id=model
    )
    return row


def ensure_platform_rule(user: Principal, action: str) -> None:
    """A rule for no model in particular watches every team's models: the admins' (the only cross-team role)."""
    access.ensure(user, roles=(Role.ADMIN,), team=None, action=action, resource_type="alert_rule", resource_id="*")


async def ensure_usecase(
    session: AsyncSession,
    user: Principal,
    usecase_id: UUID,
    action: str = "read the monitoring of",
    roles: Iterable[Role] = KNOWN_ROLES,
) -> None:
    """The same for a use case, whose team is that of the models serving it."""
    teams = {m.team for m in await repository.models_of_usecase(session, usecase_id)}
    team = teams.pop() if len(teams) == 1 else None  # none known (or disagreeing): the admins'
    access.ensure(user, roles=roles, team=team, action=action, resource_type="usecase", resource_id=usecase_id)


async def visible_models(session: AsyncSession, user: Principal) -> frozenset[str] | None:
    """The model names a listing may show `user`; None: every model (admins, services)."""
    scope = scope_of(user)
    if scope.all_teams:
        return None
    if scope.team is None:
        return frozenset()
    return frozenset(m.model_name for m in await repository.models_of_team(session, scope.team))


async def visible_usecases(session: AsyncSession, user: Principal) -> frozenset[UUID] | None:
    """The use cases a listing may show `user`; None: every use case."""
    scope = scope_of(user)
    if scope.all_teams:
        return None
    if scope.team is None:
        return frozenset()
    return frozenset(m.usecase_id for m in await repository.models_of_team(session, scope.team))
