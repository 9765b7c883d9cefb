"""Finished jobs exported to a real MLflow server through the real broker, database and S3: parameters, the loss
curve per step, the adapter files; once only, also when job.completed is redelivered; a server that is down costs
a warning and a count, never the job."""

import asyncio
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from tuneline.common.db import transaction
from tuneline.common.events import JOB_COMPLETED, JobCompleted
from tuneline.common.infra import MlflowServer, free_port
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import eventually, running_app
from tuneline.common.tracking import TRACKING_EXPORTS, TRACKING_FAILURES, build_tracker
from tuneline.training.app import create_app
from tuneline.training.jobs import repository
from tuneline.training.jobs.tables import TrainingJobMetric
from tuneline.training.settings import TrainingSettings
from tuneline.training.tracking.consumers import export_job

pytestmark = pytest.mark.integration

ADAPTER_FILES = {"adapter_config.json": b'{"r": 4, "lora_alpha": 8}', "adapter_model.safetensors": b"\x00weights\x01"}
LOSSES = [(1, 2.5, None), (2, 1.75, None), (3, 1.25, 1.5)]


def settings_for(make_settings, s3_server, tracking_uri: str, prefix: str) -> TrainingSettings:  # type: ignore[no-untyped-def]
    return make_settings(
        TrainingSettings,
        service_name="training_tracking_tests",
        object_store_url=f"s3://tl-track-{secrets.token_hex(4)}",
        s3_endpoint=s3_server.endpoint,
        s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key,
        s3_secure=False,
        mlflow_tracking_uri=tracking_uri,
        mlflow_experiment_prefix=prefix,
    )


async def seed_job(app) -> JobCompleted:  # type: ignore[no-untyped-def]
    """A finished job as the worker leaves it: progress reports in the database, the adapter in the store."""
    state = app.state.tuneline
    job_id, usecase_id = uuid4(), uuid4()
    for name, data in ADAPTER_FILES.items():
        await state.store.put(f"jobs/{job_id}/adapter/{name}", data)
    start = datetime.now(UTC) - timedelta(minutes=5)
    async with transaction(state.sessions) as session:
        for step, train_loss, val_loss in LOSSES:
            await repository.add_metric(
                session,
                TrainingJobMetric(
                    job_id=job_id,
                    step=step,
                    epoch=step / 3,
                    event="eval" if val_loss is not None else "step",
                    train_loss=train_loss,
                    val_loss=val_loss,
                    learning_rate=5e-4 / step,
                    recorded_at=start + timedelta(seconds=step),
                ),
            )
    return JobCompleted(
        producer="training",
        usecase_id=usecase_id,
        job_id=job_id,
        dataset_id=uuid4(),
        dataset_version_id=uuid4(),
        task_type="classification",
        base_model="smollm2-135m-instruct",
        method="lora",
        adapter_uri=state.store.uri(f"jobs/{job_id}/adapter"),
        labels=["brakes", "engine"],
        hyperparameters={"lora_rank": 4, "learning_rate": 5e-4, "epochs": 1},
        metrics={"eval_loss": 1.5, "train_loss": 1.25},
        trained_tokens=9600,
        duration_seconds=42.0,
        team="fleet",
    )


def already_logged() -> float:
    return TRACKING_EXPORTS.labels("training_tracking_tests", "job", "already_logged")._value.get()  # type: ignore[no-any-return]


async def test_finished_job_is_logged_once_with_params_loss_curve_and_adapter(
    make_settings,  # type: ignore[no-untyped-def]
    s3_server,  # type: ignore[no-untyped-def]
    mlflow_server: MlflowServer,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    prefix = f"tests-{secrets.token_hex(3)}"
    app = create_app(settings_for(make_settings, s3_server, mlflow_server.tracking_uri, prefix))
    client = MlflowClient(mlflow_server.tracking_uri)
    repeats_before = already_logged()
    async with running_app(app):
        completed = await seed_job(app)
        broker = app.state.tuneline.broker
        await publish_now(broker, JOB_COMPLETED, completed)
        await publish_now(broker, JOB_COMPLETED, completed)  # the redelivery: same event id
        # Another completion of the same job under a new event id (same key, same partition, so handled after both).
        marker = completed.model_copy(update={"event_id": uuid4()})
        await publish_now(broker, JOB_COMPLETED, marker)
        experiment_name = f"{prefix}/{completed.usecase_id}"

        def finished_runs_now():  # type: ignore[no-untyped-def]
            experiment = client.get_experiment_by_name(experiment_name)
            if experiment is None:
                return None
            runs = client.search_runs([experiment.experiment_id], f"tags.`tuneline.job_id` = '{completed.job_id}'")
            return runs if runs and all(r.info.status == "FINISHED" for r in runs) else None

        async def finished_runs():  # type: ignore[no-untyped-def]
            try:
                return await asyncio.to_thread(finished_runs_now)  # the client blocks; the consumer shares this loop
            except MlflowException:
                return None  # the server is busy with the export itself: ask again

        await eventually(finished_runs, timeout_s=240, interval_s=0.5, what="the job's run in MLflow")

        async def both_repeats_seen():  # type: ignore[no-untyped-def]
            return already_logged() >= repeats_before + 2 or None

        # The redelivery and the marker found the run logged already (they are handled in order, after the first).
        await eventually(both_repeats_seen, timeout_s=120, what="the repeated job.completed handled")

    experiment = client.get_experiment_by_name(experiment_name)
    runs = client.search_runs([experiment.experiment_id], f"tags.`tuneline.job_id` = '{completed.job_id}'")
    assert len(runs) == 1, "the redelivered job.completed made a second run"
    run = runs[0]
    assert run.info.run_name == f"job-{completed.job_id}"
    assert run.data.params["hp.lora_rank"] == "4"
    assert run.data.params["hp.learning_rate"] == "0.0005"
    assert run.data.params["base_model"] == "smollm2-135m-instruct"
    assert run.data.params["dataset_version_id"] == str(completed.dataset_version_id)
    assert run.data.params["labels"] == '["brakes", "engine"]'
    assert run.data.tags["tuneline.usecase_id"] == str(completed.usecase_id)
    assert run.data.tags["tuneline.dataset_version_id"] == str(completed.dataset_version_id)
    assert run.data.tags["tuneline.team"] == "fleet"
    assert "tuneline.study_id" not in run.data.tags
    train_loss = client.get_metric_history(run.info.run_id, "train_loss")
    # The three progress reports, then the final figure at the last step.
    assert [(m.step, m.value) for m in train_loss] == [(1, 2.5), (2, 1.75), (3, 1.25), (3, 1.25)]
    assert [(m.step, m.value) for m in client.get_metric_history(run.info.run_id, "val_loss")] == [(3, 1.5)]
    rates = client.get_metric_history(run.info.run_id, "learning_rate")
    assert [m.step for m in rates] == [1, 2, 3] and rates[0].value == pytest.approx(5e-4)
    assert run.data.metrics["trained_tokens"] == 9600
    assert run.data.metrics["eval_loss"] == 1.5
    listed = {a.path: a.file_size for a in client.list_artifacts(run.info.run_id, "adapter")}
    assert listed == {f"adapter/{n}": len(d) for n, d in ADAPTER_FILES.items()}
    local = client.download_artifacts(run.info.run_id, "adapter/adapter_model.safetensors", str(tmp_path))
    assert Path(local).read_bytes() == ADAPTER_FILES["adapter_model.safetensors"]  # noqa: ASYNC240 - a test


async def test_a_tracking_server_that_is_down_costs_a_warning_and_a_count_not_the_job(
    make_settings,  # type: ignore[no-untyped-def]
    s3_server,  # type: ignore[no-untyped-def]
) -> None:
    app = create_app(settings_for(make_settings, s3_server, f"http://127.0.0.1:{free_port()}", "down"))
    async with running_app(app):
        completed = await seed_job(app)
        tracker = build_tracker(app.state.tuneline.settings, "training_tracking_tests")
        assert tracker is not None
        before = TRACKING_FAILURES.labels("training_tracking_tests", "job")._value.get()
        started = time.monotonic()
        assert await export_job(app.state.tuneline, tracker, completed) is None
        took = time.monotonic() - started
    assert TRACKING_FAILURES.labels("training_tracking_tests", "job")._value.get() == before + 1
    assert took < 30, f"a down server held the export {took:.0f} s"
