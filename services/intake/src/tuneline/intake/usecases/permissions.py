"""Who may do what to a use case.

A use case belongs to its creator's team, and everything below is within that team (the platform's rule,
`tuneline.common.access`): only its team's members (any known role) read it, and only they act on it; admins and
service accounts cross teams; a use case made before use cases had a team is its submitter's alone. Within the
team, anyone with a known role but a pure viewer may draft and comment (a token with no role Tuneline knows may
not), and a new use case needs its creator's team (it belongs to that team). The
submitter edits and (re)submits; reviewers and admins decide, but nobody approves their own use case (four eyes,
admins included). The later stages follow the platform's own progress, so service accounts, ML engineers and
admins move them. Erasing a use case (the right to deletion) follows retiring's rule, since it retires a live one
first: service accounts, ML engineers and admins of its team. Callers are the kernel's ``Principal`` with its
``Role`` set.
"""

from __future__ import annotations

from enum import StrEnum

from tuneline.common.access import in_team
from tuneline.common.auth import Principal, Role
from tuneline.intake.usecases.lifecycle import Action


class Operation(StrEnum):
    """What a person does to a use case besides moving it through the lifecycle."""

    CREATE = "create"
    READ = "read"
    COMMENT = "comment"
    PRIORITISE = "prioritise"  # set a reviewer's RICE judgement
    ERASE = "erase"  # the right to deletion: retiring's rule (a live use case is retired first)


class PermissionDenied(Exception):
    def __init__(self, actor: Principal, what: Action | Operation, reason: str) -> None:
        self.actor = actor
        self.what = what
        self.reason = reason
        super().__init__(f"{actor.subject} may not {what.value}: {reason}")


_DECIDERS = frozenset({Role.REVIEWER, Role.ADMIN})
_DELIVERY = frozenset({Role.SERVICE, Role.ML_ENGINEER, Role.ADMIN})


def _read_only(actor: Principal) -> bool:
    return Role.VIEWER in actor.roles and actor.roles <= {Role.VIEWER}


def why_not(
    actor: Principal, what: Action | Operation, *, submitter: str | None = None, team: str | None = None
) -> str | None:
    """None when the actor may do it, else the reason why not. ``submitter`` and ``team`` are the use case's
    creator and team (both None for a use case not made yet)."""
    if not actor.roles:
        return "a known role is needed (admin, data_owner, ml_engineer, reviewer, viewer, sre or service)"
    if submitter is not None and not in_team(actor, team, submitter):
        if team is None:
            return "the use case belongs to no team (made before use cases had one): only its submitter or an admin"
        return f"the use case belongs to team {team!r}; only its team's members or an admin"
    if what is Operation.READ:
        return None
    if _read_only(actor):
        return "viewers can only read"
    if what is Operation.CREATE and actor.team is None and actor.roles.isdisjoint({Role.ADMIN, Role.SERVICE}):
        return "a use case belongs to its creator's team, and your token carries no team"
    if what in (Operation.CREATE, Operation.COMMENT):
        return None
    is_submitter = submitter is not None and actor.subject == submitter
    if what in (Action.EDIT, Action.SUBMIT):
        return None if is_submitter or Role.ADMIN in actor.roles else "only the submitter or an admin"
    if what in (Operation.PRIORITISE, Action.START_REVIEW, Action.APPROVE, Action.REJECT, Action.REQUEST_CHANGES):
        if actor.roles.isdisjoint(_DECIDERS):
            return "only a reviewer or an admin"
        if what is Action.APPROVE and is_submitter:
            return "nobody approves their own use case"
        return None
    if what in (Action.START_WORK, Action.DEPLOY, Action.RETIRE, Operation.ERASE):
        return None if not actor.roles.isdisjoint(_DELIVERY) else "only a service account, an ML engineer or an admin"
    return f"unknown operation {what.value}"


def authorize(
    actor: Principal, what: Action | Operation, *, submitter: str | None = None, team: str | None = None
) -> None:
    reason = why_not(actor, what, submitter=submitter, team=team)
    if reason is not None:
        raise PermissionDenied(actor, what, reason)
