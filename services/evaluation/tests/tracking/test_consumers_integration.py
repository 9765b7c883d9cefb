"""Finished evaluations exported to a real MLflow server through the real broker, database and S3: metrics, the
decision, the report files, nested under the job's run; once only, also when evaluation.completed is redelivered."""

import asyncio
import json
import secrets
from uuid import uuid4

import pytest
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from tuneline.common.events import EVALUATION_COMPLETED, EvaluationCompleted
from tuneline.common.infra import MlflowServer
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import eventually, running_app
from tuneline.common.tracking import TRACKING_EXPORTS
from tuneline.evaluation.app import create_app
from tuneline.evaluation.settings import EvaluationSettings

pytestmark = pytest.mark.integration

SERVICE = "evaluation_tracking_tests"
REPORT = {"evaluation_id": "set below", "summary": {"quality": 91}}
HTML = b"<!doctype html><title>Evaluation report</title>"


def already_logged() -> float:
    return TRACKING_EXPORTS.labels(SERVICE, "evaluation", "already_logged")._value.get()  # type: ignore[no-any-return]


async def test_finished_evaluation_is_logged_once_under_the_job_run_with_its_report(
    make_settings,  # type: ignore[no-untyped-def]
    s3_server,  # type: ignore[no-untyped-def]
    mlflow_server: MlflowServer,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    prefix = f"tests-{secrets.token_hex(3)}"
    settings = make_settings(
        EvaluationSettings,
        service_name=SERVICE,
        object_store_url=f"s3://tl-evtrack-{secrets.token_hex(4)}",
        s3_endpoint=s3_server.endpoint,
        s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key,
        s3_secure=False,
        mlflow_tracking_uri=mlflow_server.tracking_uri,
        mlflow_experiment_prefix=prefix,
    )
    app = create_app(settings)
    client = MlflowClient(mlflow_server.tracking_uri)
    usecase_id, job_id, evaluation_id = uuid4(), uuid4(), uuid4()
    # The job's run, as training's export leaves it in the use case's experiment.
    experiment_id = client.create_experiment(f"{prefix}/{usecase_id}")
    job_run = client.create_run(experiment_id, tags={"tuneline.job_id": str(job_id)})
    client.set_terminated(job_run.info.run_id)
    repeats_before = already_logged()
    async with running_app(app):
        store = app.state.tuneline.store
        report_json = json.dumps({**REPORT, "evaluation_id": str(evaluation_id)}).encode()
        info = await store.put(f"evaluations/{evaluation_id}/report.json", report_json)
        await store.put(f"evaluations/{evaluation_id}/report.html", HTML)
        completed = EvaluationCompleted(
            producer="evaluation",
            usecase_id=usecase_id,
            evaluation_id=evaluation_id,
            job_id=job_id,
            dataset_version_id=uuid4(),
            task_type="classification",
            base_model="smollm2-135m-instruct",
            adapter_uri=store.uri(f"jobs/{job_id}/adapter"),
            passed=True,
            reasons=["accuracy improved by 0.91", "forgetting within limits"],
            metrics_base={"accuracy": 0.075},
            metrics_tuned={"accuracy": 0.9875, "macro_f1": 0.98},
            forgetting={"general_perplexity_ratio": 1.2},
            hyperparameters={"lora_rank": 16},
            report_uri=info.uri,
            team="fleet",
        )
        broker = app.state.tuneline.broker
        await publish_now(broker, EVALUATION_COMPLETED, completed)
        await publish_now(broker, EVALUATION_COMPLETED, completed)  # the redelivery: same event id

        def runs_now():  # type: ignore[no-untyped-def]
            found = client.search_runs([experiment_id], f"tags.`tuneline.evaluation_id` = '{evaluation_id}'")
            return found if found and found[0].info.status == "FINISHED" else None

        async def runs():  # type: ignore[no-untyped-def]
            try:
                return await asyncio.to_thread(runs_now)  # the client blocks; the consumer shares this loop
            except MlflowException:
                return None  # the server is busy with the export itself: ask again

        await eventually(runs, timeout_s=240, interval_s=0.5, what="the evaluation's run in MLflow")

        async def repeat_seen():  # type: ignore[no-untyped-def]
            return already_logged() >= repeats_before + 1 or None

        await eventually(repeat_seen, timeout_s=120, what="the redelivered evaluation.completed handled")

    found = client.search_runs([experiment_id], f"tags.`tuneline.evaluation_id` = '{evaluation_id}'")
    assert len(found) == 1, "the redelivered evaluation.completed made a second run"
    run = found[0]
    assert run.data.tags["mlflow.parentRunId"] == job_run.info.run_id
    assert run.data.tags["tuneline.training_job_id"] == str(job_id)
    assert "tuneline.job_id" not in run.data.tags, "the job's tag would find the evaluation instead of the job"
    assert run.data.tags["tuneline.passed"] == "true"
    assert run.data.tags["tuneline.reasons"] == "accuracy improved by 0.91; forgetting within limits"
    assert run.data.metrics == {
        "base.accuracy": 0.075,
        "tuned.accuracy": 0.9875,
        "tuned.macro_f1": 0.98,
        "forgetting.general_perplexity_ratio": 1.2,
        "passed": 1.0,
    }
    assert run.data.params["hp.lora_rank"] == "16"
    assert run.data.params["job_id"] == str(job_id)
    listed = {a.path: a.file_size for a in client.list_artifacts(run.info.run_id, "report")}
    assert listed == {"report/report.json": len(report_json), "report/report.html": len(HTML)}
    local = client.download_artifacts(run.info.run_id, "report/report.json", str(tmp_path))
    with open(local) as fh:  # noqa: ASYNC230 - a test reading what it downloaded
        assert json.load(fh)["evaluation_id"] == str(evaluation_id)
