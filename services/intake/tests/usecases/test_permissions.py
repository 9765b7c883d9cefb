from __future__ import annotations

import pytest

from tuneline.common.auth import Principal, Role
from tuneline.intake.usecases.lifecycle import Action
from tuneline.intake.usecases.permissions import Operation, PermissionDenied, authorize, why_not


def actor(subject: str, *roles: Role) -> Principal:
    return Principal(subject=subject, roles=frozenset(roles))


ALICE = actor("alice", Role.DATA_OWNER)  # the submitter in these tests
VIEWER = actor("vic", Role.VIEWER)
REVIEWER = actor("rita", Role.REVIEWER)
ADMIN = actor("ada", Role.ADMIN)
SERVICE = actor("svc-training", Role.SERVICE)
ENGINEER = actor("ed", Role.ML_ENGINEER)
NO_ROLE = actor("nora")


@pytest.mark.parametrize("who", [ALICE, VIEWER, REVIEWER, ADMIN, SERVICE, NO_ROLE])
def test_everyone_signed_in_may_read(who):
    assert why_not(who, Operation.READ, submitter="alice") is None


@pytest.mark.parametrize("what", [Operation.CREATE, Operation.COMMENT, Action.EDIT, Action.SUBMIT])
def test_viewers_can_only_read(what):
    assert why_not(VIEWER, what, submitter="vic") == "viewers can only read"


def test_a_viewer_with_another_role_is_not_read_only():
    assert why_not(actor("vic", Role.VIEWER, Role.REVIEWER), Action.START_REVIEW, submitter="alice") is None


@pytest.mark.parametrize("who", [ALICE, REVIEWER, SERVICE, NO_ROLE])
def test_anyone_but_a_viewer_may_draft_and_comment(who):
    assert why_not(who, Operation.CREATE) is None
    assert why_not(who, Operation.COMMENT, submitter="someone-else") is None


@pytest.mark.parametrize("what", [Action.EDIT, Action.SUBMIT])
def test_only_the_submitter_or_an_admin_edits_and_submits(what):
    assert why_not(ALICE, what, submitter="alice") is None
    assert why_not(ADMIN, what, submitter="alice") is None
    assert why_not(REVIEWER, what, submitter="alice") == "only the submitter or an admin"


@pytest.mark.parametrize("what", [Action.START_REVIEW, Action.APPROVE, Action.REJECT, Action.REQUEST_CHANGES])
def test_reviewers_and_admins_decide_and_others_do_not(what):
    assert why_not(REVIEWER, what, submitter="alice") is None
    assert why_not(ADMIN, what, submitter="alice") is None
    assert why_not(ALICE, what, submitter="alice") == "only a reviewer or an admin"
    assert why_not(ENGINEER, what, submitter="alice") == "only a reviewer or an admin"


def test_nobody_approves_their_own_use_case_but_may_send_it_back():
    own = "rita"
    assert why_not(REVIEWER, Action.APPROVE, submitter=own) == "nobody approves their own use case"
    assert why_not(actor(own, Role.ADMIN), Action.APPROVE, submitter=own) == "nobody approves their own use case"
    assert why_not(REVIEWER, Action.REQUEST_CHANGES, submitter=own) is None


@pytest.mark.parametrize("what", [Action.START_WORK, Action.DEPLOY, Action.RETIRE])
def test_delivery_stages_move_by_service_accounts_engineers_and_admins(what):
    for who in (SERVICE, ENGINEER, ADMIN):
        assert why_not(who, what, submitter="alice") is None
    assert why_not(REVIEWER, what, submitter="alice") is not None
    assert why_not(ALICE, what, submitter="alice") is not None


def test_authorize_raises_with_the_reason():
    with pytest.raises(PermissionDenied) as caught:
        authorize(REVIEWER, Action.EDIT, submitter="alice")
    assert caught.value.reason == "only the submitter or an admin"
    assert str(caught.value) == "rita may not edit: only the submitter or an admin"
    authorize(ALICE, Action.EDIT, submitter="alice")  # allowed: no exception
