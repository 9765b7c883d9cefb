"""The platform's authorisation rule: role x team, the same in every service.

Every use case belongs to a team (its creator's, set by intake); datasets, training jobs and evaluations inherit
the team of their use case. A subject may act on an object of team T when

- it is an admin (the only cross-team role), or
- it holds one of the roles the action needs, and
  - T is its own team, or
  - the object has no team (made before objects carried one) and the subject is its recorded owner.

Service accounts are the platform's own machinery (workers, the gateway acting for nobody in particular) and
pass the team check; a token that acts on a person's behalf carries that person's roles and team instead.

A refusal is an `AccessDenied` (403): the app factory writes it to the service's audit log (``access.denied``)
in its own transaction, since the request's transaction is rolled back with the error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tuneline.common.auth import Principal, Role
from tuneline.common.errors import AccessDenied

#: Every role a person can hold; "any known role" for reads.
KNOWN_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.ADMIN)


def in_team(principal: Principal, team: str | None, owner: str | None = None) -> bool:
    """Whether the team part of the rule lets `principal` at an object of `team` (owned by `owner`)."""
    if Role.ADMIN in principal.roles or Role.SERVICE in principal.roles:
        return True
    if team is None:
        return owner is not None and principal.subject == owner
    return principal.team is not None and principal.team == team


def why_not(principal: Principal, roles: Iterable[Role], team: str | None, owner: str | None = None) -> str | None:
    """None when `principal` may act (roles and team), else the reason, in words."""
    needed = tuple(roles)
    if not principal.has(*needed):
        return f"requires one of the roles: {', '.join(r.value for r in needed)}"
    if in_team(principal, team, owner):
        return None
    if team is None:
        return "it belongs to no team (made before objects had one): only its owner or an admin"
    return f"it belongs to team {team!r}; only its team's members or an admin"


def ensure(
    principal: Principal,
    *,
    roles: Iterable[Role],
    team: str | None,
    action: str,
    resource_type: str,
    resource_id: object,
    owner: str | None = None,
) -> None:
    """Raise `AccessDenied` naming the action and the reason unless the rule allows it."""
    reason = why_not(principal, roles, team, owner)
    if reason is not None:
        raise AccessDenied(
            f"you may not {action} {resource_type} {resource_id}: {reason}",
            actor=principal.subject,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            team=team,
        )


@dataclass(frozen=True)
class Scope:
    """What a listing may show `subject`: every team, or its own team's objects plus its own team-less ones."""

    all_teams: bool
    team: str | None
    subject: str


def scope_of(principal: Principal) -> Scope:
    everything = Role.ADMIN in principal.roles or Role.SERVICE in principal.roles
    return Scope(all_teams=everything, team=principal.team, subject=principal.subject)
