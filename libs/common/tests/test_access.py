"""The platform's authorisation rule: role x team, admin the only cross-team role, team-less objects owner-only."""

from __future__ import annotations

import pytest

from tuneline.common import access
from tuneline.common.auth import Principal, Role
from tuneline.common.errors import AccessDenied


def person(*roles: Role, team: str | None = "plant-ops", subject: str = "ana") -> Principal:
    return Principal(subject=subject, roles=frozenset(roles), team=team)


def test_a_member_with_the_needed_role_acts_on_their_teams_object() -> None:
    assert access.why_not(person(Role.ML_ENGINEER), [Role.ML_ENGINEER], "plant-ops") is None


def test_the_same_role_in_another_team_is_refused_naming_the_objects_team() -> None:
    reason = access.why_not(person(Role.ML_ENGINEER, team="finance"), [Role.ML_ENGINEER], "plant-ops")
    assert reason is not None and "'plant-ops'" in reason


def test_the_right_team_without_the_needed_role_is_refused_naming_the_roles() -> None:
    reason = access.why_not(person(Role.VIEWER), [Role.ML_ENGINEER], "plant-ops")
    assert reason == "requires one of the roles: ml_engineer"


def test_a_token_without_a_team_reaches_no_teams_object() -> None:
    assert access.why_not(person(Role.VIEWER, team=None), access.KNOWN_ROLES, "plant-ops") is not None


def test_a_roleless_token_is_refused_even_in_its_own_team() -> None:
    assert access.why_not(person(), access.KNOWN_ROLES, "plant-ops") is not None


def test_admin_is_the_cross_team_role() -> None:
    admin = person(Role.ADMIN, team="finance")
    assert access.why_not(admin, [Role.ML_ENGINEER], "plant-ops") is None
    assert access.why_not(admin, [Role.ML_ENGINEER], None) is None


def test_a_team_less_object_from_before_teams_is_its_owners_alone() -> None:
    assert access.why_not(person(Role.ML_ENGINEER), [Role.ML_ENGINEER], None, owner="ana") is None
    reason = access.why_not(person(Role.ML_ENGINEER, subject="bo"), [Role.ML_ENGINEER], None, owner="ana")
    assert reason is not None and "no team" in reason
    assert access.why_not(person(Role.ML_ENGINEER), [Role.ML_ENGINEER], None, owner=None) is not None


def test_ensure_raises_an_audited_refusal_naming_actor_action_and_object() -> None:
    with pytest.raises(AccessDenied) as refused:
        access.ensure(
            person(Role.ML_ENGINEER, team="finance", subject="eve"),
            roles=[Role.ML_ENGINEER],
            team="plant-ops",
            action="cancel",
            resource_type="training_job",
            resource_id="j-1",
        )
    denied = refused.value
    assert denied.status_code == 403
    assert (denied.actor, denied.action, denied.resource_type, denied.resource_id, denied.team) == (
        "eve",
        "cancel",
        "training_job",
        "j-1",
        "plant-ops",
    )
    assert "cancel training_job j-1" in denied.message


def test_listings_show_every_team_to_admins_and_service_accounts_only() -> None:
    assert access.scope_of(person(Role.ADMIN)).all_teams
    assert access.scope_of(person(Role.SERVICE, team=None)).all_teams
    scope = access.scope_of(person(Role.VIEWER))
    assert not scope.all_teams and scope.team == "plant-ops" and scope.subject == "ana"
