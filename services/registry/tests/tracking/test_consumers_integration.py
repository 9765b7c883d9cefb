"""Model versions registered in a real MLflow server's registry through the real broker and database: the
registry's own evaluation.completed → model.registered path, then the export; once only, also when
model.registered is published again; the version's source is the adapter in the job's MLflow run."""

import asyncio
import secrets
from uuid import uuid4

import pytest
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from tuneline.common.db import transaction
from tuneline.common.events import EVALUATION_COMPLETED, MODEL_REGISTERED, EvaluationCompleted, ModelRegistered
from tuneline.common.infra import MlflowServer
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import eventually, running_app
from tuneline.common.tracking import TRACKING_EXPORTS
from tuneline.registry.app import create_app
from tuneline.registry.models import repository
from tuneline.registry.settings import RegistrySettings

pytestmark = pytest.mark.integration

SERVICE = "registry_tracking_tests"


def already_logged() -> float:
    return TRACKING_EXPORTS.labels(SERVICE, "model_version", "already_logged")._value.get()  # type: ignore[no-any-return]


async def test_registered_version_lands_in_mlflow_registry_once_with_lineage_tags(
    make_settings,  # type: ignore[no-untyped-def]
    mlflow_server: MlflowServer,
    fake_runtime,  # type: ignore[no-untyped-def]
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    prefix = f"tests-{secrets.token_hex(3)}"
    settings = make_settings(
        RegistrySettings,
        service_name=SERVICE,
        mlflow_tracking_uri=mlflow_server.tracking_uri,
        mlflow_experiment_prefix=prefix,
    )
    app = create_app(settings, runtime=fake_runtime)
    client = MlflowClient(mlflow_server.tracking_uri)
    usecase_id, job_id, evaluation_id, dataset_version_id = uuid4(), uuid4(), uuid4(), uuid4()
    # The job's run with its adapter, as training's export leaves it in the use case's experiment.
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text('{"r": 16}')
    experiment_id = client.create_experiment(f"{prefix}/{usecase_id}")
    job_run = client.create_run(experiment_id, tags={"tuneline.job_id": str(job_id)})
    client.log_artifacts(job_run.info.run_id, str(adapter), "adapter")
    client.set_terminated(job_run.info.run_id)
    repeats_before = already_logged()
    async with running_app(app):
        state = app.state.tuneline
        evaluated = EvaluationCompleted(
            producer="evaluation",
            usecase_id=usecase_id,
            evaluation_id=evaluation_id,
            job_id=job_id,
            dataset_version_id=dataset_version_id,
            task_type="classification",
            base_model="smollm2-135m-instruct",
            adapter_uri=f"s3://tuneline/jobs/{job_id}/adapter",
            passed=True,
            reasons=["accuracy improved"],
            team="fleet",
        )
        await publish_now(state.broker, EVALUATION_COMPLETED, evaluated)

        def versions_now():  # type: ignore[no-untyped-def]
            return client.search_model_versions(f"tags.`tuneline.evaluation_id` = '{evaluation_id}'") or None

        async def versions():  # type: ignore[no-untyped-def]
            try:
                return await asyncio.to_thread(versions_now)  # the client blocks; the consumers share this loop
            except MlflowException:
                return None  # the server is busy with the export itself: ask again

        found = await eventually(versions, timeout_s=240, interval_s=0.5, what="the model version in MLflow")
        async with transaction(state.sessions) as session:
            row = await repository.version_by_evaluation(session, evaluation_id)
            assert row is not None
            model = await repository.get_model_by_id(session, row.model_id)
            assert model is not None
        again = ModelRegistered(
            producer="registry",
            usecase_id=usecase_id,
            model_id=model.id,
            version_id=row.id,
            name=model.name,
            version=row.version,
            stage=row.stage,
            job_id=job_id,
            evaluation_id=evaluation_id,
            team="fleet",
        )
        await publish_now(state.broker, MODEL_REGISTERED, again)  # the same version under a new event id

        async def repeat_seen():  # type: ignore[no-untyped-def]
            return already_logged() >= repeats_before + 1 or None

        await eventually(repeat_seen, timeout_s=120, what="the repeated model.registered handled")

    found = client.search_model_versions(f"tags.`tuneline.evaluation_id` = '{evaluation_id}'")
    assert len(found) == 1, "the repeated model.registered made a second version"
    version = found[0]
    assert version.name == model.name
    assert version.run_id == job_run.info.run_id
    assert version.source == f"runs:/{job_run.info.run_id}/adapter"
    assert {k: v for k, v in version.tags.items() if k.startswith("tuneline.")} == {
        "tuneline.version_id": str(row.id),
        "tuneline.model_id": str(model.id),
        "tuneline.version": str(row.version),
        "tuneline.stage": "staging",
        "tuneline.usecase_id": str(usecase_id),
        "tuneline.job_id": str(job_id),
        "tuneline.evaluation_id": str(evaluation_id),
        "tuneline.dataset_version_id": str(dataset_version_id),
        "tuneline.base_model": "smollm2-135m-instruct",
        "tuneline.method": "lora",
        "tuneline.team": "fleet",
        "tuneline.adapter_uri": f"s3://tuneline/jobs/{job_id}/adapter",
    }
    assert client.get_registered_model(model.name).tags == {"tuneline.usecase_id": str(usecase_id)}
