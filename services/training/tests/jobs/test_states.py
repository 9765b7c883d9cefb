import pytest

from tuneline.common.errors import IllegalTransition
from tuneline.training.jobs.states import TERMINAL, TRANSITIONS, JobStatus, check_transition


def test_final_statuses_allow_nothing() -> None:
    assert all(TRANSITIONS[s] == frozenset() for s in TERMINAL)


def test_running_job_may_finish_pause_or_go_back_to_the_queue() -> None:
    for target in ("succeeded", "failed", "cancelled", "paused", "queued"):
        check_transition("running", JobStatus(target))


def test_illegal_transition_is_a_409_naming_the_allowed_statuses() -> None:
    with pytest.raises(IllegalTransition) as error:
        check_transition("queued", JobStatus.SUCCEEDED)
    assert error.value.status_code == 409
    body = error.value.to_body()
    assert body["current"] == "queued" and body["requested"] == "succeeded"
    assert body["allowed"] == ["cancelled", "starting"]
    assert "allowed from 'queued': cancelled, starting" in body["detail"]


def test_paused_job_can_only_resume_or_be_cancelled() -> None:
    assert TRANSITIONS[JobStatus.PAUSED] == {JobStatus.QUEUED, JobStatus.CANCELLED}
