"""How a finished trial job goes into its study, and the study's small rules."""

from uuid import uuid4

import pytest

from tuneline.training.jobs.tables import TrainingJob
from tuneline.training.studies.optuna_repository import TrialRecord
from tuneline.training.studies.service import state_of, tpe_startup_trials, trial_outcome


def job(status: str, **fields: object) -> TrainingJob:
    return TrainingJob(
        usecase_id=uuid4(),
        dataset_id=uuid4(),
        dataset_version_id=uuid4(),
        task_type="classification",
        record_format="classification",
        base_model="m",
        method_requested="lora",
        created_by="t",
        status=status,
        **fields,
    )


@pytest.mark.parametrize(
    ("trial_job", "expected"),
    [
        (job("succeeded", metrics={"val_loss": 1.4, "best_val_loss": 1.2}), ("complete", 1.2, None)),
        (job("succeeded", metrics={"val_loss": 1.4}), ("complete", 1.4, None)),
        (job("succeeded", metrics={"train_loss": 1.0}), ("failed", None, "finished without a validation loss")),
        (
            job("succeeded", metrics={"best_val_loss": float("nan")}),
            ("failed", None, "finished without a validation loss"),
        ),
        (job("cancelled", stop_reason="pruned"), ("pruned", None, None)),
        (job("cancelled", stop_reason="study cancelled"), ("failed", None, "job cancelled (study cancelled)")),
        (job("cancelled"), ("failed", None, "job cancelled (by a person)")),
        (job("failed", failure_reason="out of memory"), ("failed", None, "job failed: out of memory")),
    ],
)
def test_a_trial_is_told_as_its_job_ended(trial_job: TrainingJob, expected: tuple) -> None:
    assert trial_outcome(trial_job) == expected


def test_a_failed_trial_without_a_job_shows_as_skipped() -> None:
    record = TrialRecord(0, "failed", {}, None, [], "not started: over the cost cap", None, None)
    assert state_of(record, None) == "skipped"
    assert state_of(record, job("failed")) == "failed"


@pytest.mark.parametrize(("n_trials", "startup"), [(1, 1), (4, 2), (10, 5), (20, 10), (200, 10)])
def test_tpe_samples_at_random_for_at_most_half_a_study(n_trials: int, startup: int) -> None:
    assert tpe_startup_trials(n_trials) == startup
