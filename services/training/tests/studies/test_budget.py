"""The cost cap counts the estimates of unfinished trials and the measured cost of finished ones."""

from datetime import timedelta
from uuid import uuid4

from tuneline.common.events import utcnow
from tuneline.training.jobs.tables import TrainingJob
from tuneline.training.studies.budget import committed_cost, measured_cost, within_cap


def job(status: str, *, cost: float = 0.36, seconds: float = 360.0, ran_s: float | None = None) -> TrainingJob:
    now = utcnow()
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
        estimate={"cost_usd": cost, "seconds": seconds},
        started_at=now - timedelta(seconds=ran_s) if ran_s is not None else None,
        finished_at=now if ran_s is not None else None,
    )


def test_a_finished_trial_costs_its_machine_time_at_its_estimates_price() -> None:
    # $0.36 for 360 s is $0.001 a second: a trial pruned after 90 s cost $0.09
    assert abs(measured_cost(job("cancelled", ran_s=90)) - 0.09) < 1e-9
    assert measured_cost(job("running")) is None
    assert measured_cost(job("cancelled")) == 0.0  # cancelled in the queue


def test_committed_cost_takes_estimates_until_a_trial_finishes() -> None:
    jobs = [job("succeeded", ran_s=300), job("running"), job("queued", cost=0.5)]
    assert abs(committed_cost(jobs) - (0.3 + 0.36 + 0.5)) < 1e-9


def test_a_trial_starts_only_when_its_estimate_fits_in_what_is_left() -> None:
    assert within_cap(0.6, 0.4, 1.0)
    assert not within_cap(0.6, 0.41, 1.0)
    assert within_cap(100.0, 100.0, None)
