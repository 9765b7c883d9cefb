"""What a finished job becomes in MLflow: the loss curve from the recorded progress reports, params and tags."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from tuneline.common.events import JobCompleted
from tuneline.training.jobs.tables import TrainingJobMetric
from tuneline.training.tracking.export import job_history, job_run

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def report(step: int, **figures: float) -> TrainingJobMetric:
    return TrainingJobMetric(
        job_id=uuid4(), step=step, epoch=0.5, event="step", recorded_at=T0 + timedelta(seconds=step), **figures
    )


def test_history_keeps_each_reported_figure_at_its_step_and_leaves_missing_ones_out() -> None:
    points = job_history([report(1, train_loss=2.0, learning_rate=1e-3), report(2, train_loss=1.5, val_loss=1.7)])
    assert [(p.key, p.step, p.value) for p in points] == [
        ("train_loss", 1, 2.0),
        ("learning_rate", 1, 1e-3),
        ("train_loss", 2, 1.5),
        ("val_loss", 2, 1.7),
    ]
    assert points[-1].at == T0 + timedelta(seconds=2)


def test_run_is_found_by_the_job_id_and_carries_hyperparameters_and_lineage() -> None:
    job_id, usecase_id, version_id = uuid4(), uuid4(), uuid4()
    event = JobCompleted(
        producer="training",
        usecase_id=usecase_id,
        job_id=job_id,
        dataset_id=uuid4(),
        dataset_version_id=version_id,
        task_type="classification",
        base_model="smollm2-135m-instruct",
        method="lora",
        adapter_uri="s3://tuneline/jobs/x/adapter",
        hyperparameters={"lora_rank": 16},
        metrics={"eval_loss": 0.4},
        trained_tokens=100,
    )
    run = job_run(event, [], None)
    assert run.key == ("tuneline.job_id", str(job_id))
    assert run.usecase_id == str(usecase_id)
    assert run.params["hp.lora_rank"] == 16 and run.params["dataset_version_id"] == str(version_id)
    assert run.params["labels"] is None, "no labels: no parameter"
    assert run.metrics["eval_loss"] == 0.4 and run.metrics["trained_tokens"] == 100.0
    assert run.tags["tuneline.dataset_version_id"] == str(version_id)
    assert run.tags["tuneline.study_id"] is None and run.parent_key is None
