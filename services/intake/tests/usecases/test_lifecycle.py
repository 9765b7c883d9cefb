from __future__ import annotations

import pytest

from tuneline.intake.usecases.lifecycle import Action, IllegalTransition, Status, allowed_actions, next_status

S, A = Status, Action

# The lifecycle written out by hand from the brief, independent of the module's table.
EXPECTED = {
    S.DRAFT: {A.EDIT: S.DRAFT, A.SUBMIT: S.SUBMITTED},
    S.SUBMITTED: {A.START_REVIEW: S.IN_REVIEW},
    S.IN_REVIEW: {A.APPROVE: S.APPROVED, A.REJECT: S.REJECTED, A.REQUEST_CHANGES: S.NEEDS_CHANGES},
    S.NEEDS_CHANGES: {A.EDIT: S.NEEDS_CHANGES, A.SUBMIT: S.SUBMITTED},
    S.APPROVED: {A.START_WORK: S.IN_PROGRESS, A.RETIRE: S.RETIRED},
    S.IN_PROGRESS: {A.DEPLOY: S.DEPLOYED, A.RETIRE: S.RETIRED},
    S.DEPLOYED: {A.DEPLOY: S.DEPLOYED, A.RETIRE: S.RETIRED},
    S.REJECTED: {},
    S.RETIRED: {},
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_every_status_and_action_pair_moves_or_is_refused_with_the_allowed_ones(status, action):
    expected = EXPECTED[status].get(action)
    if expected is not None:
        assert next_status(status, action) is expected
    else:
        with pytest.raises(IllegalTransition) as caught:
            next_status(status, action)
        assert set(caught.value.allowed) == set(EXPECTED[status])


def test_happy_path_from_draft_to_retired():
    status = Status.DRAFT
    for action in (A.SUBMIT, A.START_REVIEW, A.APPROVE, A.START_WORK, A.DEPLOY, A.RETIRE):
        status = next_status(status, action)
    assert status is Status.RETIRED


def test_changes_requested_goes_back_through_submission():
    status = next_status(next_status(Status.SUBMITTED, A.START_REVIEW), A.REQUEST_CHANGES)
    assert status is Status.NEEDS_CHANGES
    assert next_status(next_status(status, A.EDIT), A.SUBMIT) is Status.SUBMITTED


def test_approving_a_draft_says_what_is_allowed_instead():
    with pytest.raises(IllegalTransition) as caught:
        next_status(Status.DRAFT, A.APPROVE)
    assert caught.value.allowed == (A.EDIT, A.SUBMIT)
    assert str(caught.value) == "cannot approve a use case that is draft; allowed: edit, submit"


def test_final_statuses_allow_nothing():
    assert allowed_actions(Status.REJECTED) == ()
    with pytest.raises(IllegalTransition, match="nothing"):
        next_status(Status.RETIRED, A.EDIT)
