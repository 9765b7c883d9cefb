"""A job's phases and the time left over them: the order a run goes through, and the ETA's arithmetic."""

import pytest

from tuneline.common.results import RUN_PHASES
from tuneline.training.jobs.progress import ORDER, JobPhase, Remaining, estimated_remaining, eta_seconds, is_before

LEFT = Remaining(replay_answers=40, seconds_per_answer=2.0, training_seconds=300.0, save_seconds=5.0)


def test_phases_run_from_queued_through_the_workers_phases_to_done() -> None:
    assert (JobPhase.QUEUED, *(JobPhase(p) for p in RUN_PHASES), JobPhase.DONE) == ORDER
    assert is_before(JobPhase.GENERATING_REPLAY, JobPhase.TRAINING)
    assert not is_before(JobPhase.SAVING, JobPhase.EVALUATING)


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (JobPhase.QUEUED, 40 * 2.0 + 300 + 5),
        (JobPhase.PREPARING_DATA, 385.0),
        (JobPhase.LOADING_MODEL, 385.0),
        (JobPhase.GENERATING_REPLAY, 385.0),
        (JobPhase.TRAINING, 300 + 5.0),  # the replay is behind it, whatever answers the numbers still hold
        (JobPhase.EVALUATING, 5.0),
        (JobPhase.SAVING, 5.0),
        (JobPhase.DONE, 0.0),
    ],
)
def test_eta_counts_only_the_phases_still_ahead(phase: JobPhase, expected: float) -> None:
    assert eta_seconds(phase, LEFT) == pytest.approx(expected)


def test_before_the_run_measures_anything_the_estimate_fills_every_gap() -> None:
    estimate = {
        "seconds": 133.0,
        "training_seconds": 80.0,
        "replay_answers": 64,
        "replay_seconds_per_answer": 0.75,
        "save_seconds": 5.0,
    }
    left = estimated_remaining(estimate, step=0, total_steps=40)
    assert left == Remaining(replay_answers=64, seconds_per_answer=0.75, training_seconds=80.0, save_seconds=5.0)
    assert eta_seconds(JobPhase.QUEUED, left) == pytest.approx(64 * 0.75 + 80 + 5)


def test_measured_replay_rate_and_answers_left_replace_the_estimate() -> None:
    estimate = {"training_seconds": 80.0, "replay_answers": 64, "replay_seconds_per_answer": 0.75, "save_seconds": 5.0}
    left = estimated_remaining(estimate, step=0, total_steps=40, replay_left=16, seconds_per_answer=6.0)
    # the fresh machine: 48 of 64 answers at 6 s each are behind, 16 are ahead
    assert eta_seconds(JobPhase.GENERATING_REPLAY, left) == pytest.approx(16 * 6.0 + 80 + 5)


def test_during_training_the_measured_steps_left_count_not_the_estimate() -> None:
    estimate = {"training_seconds": 80.0, "save_seconds": 5.0}
    halfway = estimated_remaining(estimate, step=20, total_steps=40)
    assert halfway.training_seconds == pytest.approx(40.0)  # estimated rate for the 20 steps left
    measured = estimated_remaining(estimate, step=20, total_steps=40, training_seconds_left=120.0, replay_left=0)
    assert eta_seconds(JobPhase.TRAINING, measured) == pytest.approx(125.0)


def test_an_estimate_from_before_the_breakdown_reads_its_seconds_as_the_steps() -> None:
    left = estimated_remaining({"seconds": 77.0}, step=0, total_steps=40)
    assert (left.training_seconds, left.replay_answers, left.save_seconds) == (77.0, 0, 0.0)
    assert eta_seconds(JobPhase.QUEUED, estimated_remaining({}, step=0, total_steps=0)) == 0.0
