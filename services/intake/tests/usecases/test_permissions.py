from __future__ import annotations

import pytest

from tuneline.common.auth import Principal, Role
from tuneline.intake.usecases.lifecycle import Action
from tuneline.intake.usecases.permissions import Operation, PermissionDenied, authorize, why_not

TEAM = "plant-ops"


def actor(subject: str, *roles: Role, team: str | None = TEAM) -> Principal:
    return Principal(subject=subject, roles=frozenset(roles), team=team)


ALICE = actor("alice", Role.DATA_OWNER)  # the submitter in these tests
VIEWER = actor("vic", Role.VIEWER)
REVIEWER = actor("rita", Role.REVIEWER)
ADMIN = actor("ada", Role.ADMIN)
SERVICE = actor("svc-training", Role.SERVICE)
ENGINEER = actor("ed", Role.ML_ENGINEER)
NO_ROLE = actor("nora")


@pytest.mark.parametrize("who", [ALICE, VIEWER, REVIEWER, ADMIN, SERVICE])
def test_every_known_role_of_the_team_may_read(who):
    assert why_not(who, Operation.READ, submitter="alice", team=TEAM) is None


def test_a_token_with_no_known_role_may_not_read():
    assert why_not(NO_ROLE, Operation.READ, submitter="alice", team=TEAM) is not None


@pytest.mark.parametrize(
    "what",
    [Operation.READ, Operation.COMMENT, Operation.PRIORITISE, Action.START_REVIEW, Action.APPROVE, Action.RETIRE],
)
def test_another_teams_member_neither_reads_nor_acts_on_a_use_case_admins_and_services_do(what):
    for outsider in (
        actor("oscar", Role.REVIEWER, Role.ML_ENGINEER, team="finance"),
        actor("tim", Role.VIEWER, team=None),
    ):
        assert why_not(outsider, what, submitter="alice", team=TEAM) == (
            "the use case belongs to team 'plant-ops'; only its team's members or an admin"
        )
    assert why_not(actor("ada", Role.ADMIN, team="finance"), what, submitter="alice", team=TEAM) is None
    # a service account passes the team check (whether its role may decide is the role rule's business)
    assert "team" not in (why_not(actor("svc", Role.SERVICE, team=None), what, submitter="alice", team=TEAM) or "")


def test_a_use_case_made_before_teams_is_its_submitters_alone():
    assert why_not(ALICE, Operation.READ, submitter="alice", team=None) is None
    assert why_not(REVIEWER, Operation.READ, submitter="alice", team=None) == (
        "the use case belongs to no team (made before use cases had one): only its submitter or an admin"
    )
    assert why_not(ADMIN, Operation.READ, submitter="alice", team=None) is None


@pytest.mark.parametrize("what", [Operation.CREATE, Operation.COMMENT, Action.EDIT, Action.SUBMIT])
def test_viewers_can_only_read(what):
    assert why_not(VIEWER, what, submitter="vic", team=TEAM) == "viewers can only read"


def test_a_viewer_with_another_role_is_not_read_only():
    assert why_not(actor("vic", Role.VIEWER, Role.REVIEWER), Action.START_REVIEW, submitter="alice", team=TEAM) is None


@pytest.mark.parametrize("who", [ALICE, REVIEWER, SERVICE])
def test_anyone_with_a_known_role_but_a_viewer_may_draft_and_comment(who):
    assert why_not(who, Operation.CREATE) is None
    assert why_not(who, Operation.COMMENT, submitter="someone-else", team=TEAM) is None


@pytest.mark.parametrize("what", [Operation.CREATE, Operation.COMMENT, Action.EDIT])
def test_a_token_with_no_known_role_may_not_draft_or_comment(what):
    assert why_not(NO_ROLE, what, submitter="nora", team=TEAM) == (
        "a known role is needed (admin, data_owner, ml_engineer, reviewer, viewer, sre or service)"
    )


def test_a_person_without_a_team_may_not_create_a_use_case_an_admin_or_service_may():
    assert why_not(actor("tim", Role.DATA_OWNER, team=None), Operation.CREATE) == (
        "a use case belongs to its creator's team, and your token carries no team"
    )
    assert why_not(actor("ada", Role.ADMIN, team=None), Operation.CREATE) is None
    assert why_not(actor("svc", Role.SERVICE, team=None), Operation.CREATE) is None


@pytest.mark.parametrize("what", [Action.EDIT, Action.SUBMIT])
def test_only_the_submitter_or_an_admin_edits_and_submits(what):
    assert why_not(ALICE, what, submitter="alice", team=TEAM) is None
    assert why_not(ADMIN, what, submitter="alice", team=TEAM) is None
    assert why_not(REVIEWER, what, submitter="alice", team=TEAM) == "only the submitter or an admin"


@pytest.mark.parametrize("what", [Action.START_REVIEW, Action.APPROVE, Action.REJECT, Action.REQUEST_CHANGES])
def test_reviewers_and_admins_decide_and_others_do_not(what):
    assert why_not(REVIEWER, what, submitter="alice", team=TEAM) is None
    assert why_not(ADMIN, what, submitter="alice", team=TEAM) is None
    assert why_not(ALICE, what, submitter="alice", team=TEAM) == "only a reviewer or an admin"
    assert why_not(ENGINEER, what, submitter="alice", team=TEAM) == "only a reviewer or an admin"


def test_nobody_approves_their_own_use_case_but_may_send_it_back():
    own = "rita"
    assert why_not(REVIEWER, Action.APPROVE, submitter=own, team=TEAM) == "nobody approves their own use case"
    assert (
        why_not(actor(own, Role.ADMIN), Action.APPROVE, submitter=own, team=TEAM)
        == "nobody approves their own use case"
    )
    assert why_not(REVIEWER, Action.REQUEST_CHANGES, submitter=own, team=TEAM) is None


@pytest.mark.parametrize("what", [Action.START_WORK, Action.DEPLOY, Action.RETIRE])
def test_delivery_stages_move_by_service_accounts_engineers_and_admins(what):
    for who in (SERVICE, ENGINEER, ADMIN):
        assert why_not(who, what, submitter="alice", team=TEAM) is None
    assert why_not(REVIEWER, what, submitter="alice", team=TEAM) is not None
    assert why_not(ALICE, what, submitter="alice", team=TEAM) is not None


def test_authorize_raises_with_the_reason():
    with pytest.raises(PermissionDenied) as caught:
        authorize(REVIEWER, Action.EDIT, submitter="alice", team=TEAM)
    assert caught.value.reason == "only the submitter or an admin"
    assert str(caught.value) == "rita may not edit: only the submitter or an admin"
    authorize(ALICE, Action.EDIT, submitter="alice", team=TEAM)  # allowed: no exception
