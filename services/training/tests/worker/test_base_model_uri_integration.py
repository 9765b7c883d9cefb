"""A base model from the object store on the real worker path: the tiny model uploaded to real S3 (SeaweedFS) with
its manifest, in a bucket of its own; a job whose base model is its s3:// URI, trained by a training subprocess that
fetches it into its node's model cache. A base model without a manifest is refused when a person queues it, and
fails the job naming the URI when the platform queued it."""

import asyncio
import contextlib
import json
import secrets
from uuid import UUID

import pytest

from tuneline.common.artifacts import MANIFEST, cached_model_dir, upload_with_manifest
from tuneline.common.db import transaction
from tuneline.common.storage import S3ObjectStore, upload_dir
from tuneline.common.testing.helpers import bearer, eventually, running_app
from tuneline.training.app import create_app
from tuneline.training.jobs import service
from tuneline.training.jobs.schemas import CreateJobRequest
from tuneline.training.settings import TrainingSettings
from tuneline.training.worker.loop import Worker
from tuneline.training.worker.runners import SubprocessRunner

pytestmark = pytest.mark.integration

TINY_JOB = {"epochs": 1, "batch_size": 4, "max_seq_len": 128, "lora_rank": 4, "checkpoint_interval": 0}


@pytest.fixture
def settings(make_settings, s3_server, tmp_path) -> TrainingSettings:  # type: ignore[no-untyped-def]
    return make_settings(
        TrainingSettings,
        service_name="training_uri_tests",
        object_store_url=f"s3://tl-train-{secrets.token_hex(4)}",
        s3_endpoint=s3_server.endpoint,
        s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key,
        s3_secure=False,
        model_cache_dir=str(tmp_path / "node-cache"),
        worker_poll_interval_s=0.2,
        heartbeat_interval_s=0.3,
        job_workdir=str(tmp_path / "work"),
        worker_torch_threads=1,
    )


@contextlib.asynccontextmanager
async def running_worker(app, settings):  # type: ignore[no-untyped-def]
    runner = SubprocessRunner({"OMP_NUM_THREADS": "1"})
    worker = Worker(settings, app.state.tuneline.sessions, runner, name="uri-worker")
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield worker
    finally:
        stop.set()
        await task


async def post_job(client, settings, version_id: UUID, base_model: str):  # type: ignore[no-untyped-def]
    body = {
        "dataset_version_id": str(version_id),
        "preset": "quick_start",
        "hyperparameters": TINY_JOB,
        "base_model": base_model,
    }
    return await client.post("/jobs", json=body, headers=bearer(settings, "ml_engineer"))


async def finished(client, settings, job_id: str) -> dict:  # type: ignore[no-untyped-def]
    headers = bearer(settings, "viewer")

    async def done() -> dict | None:
        state = (await client.get(f"/jobs/{job_id}", headers=headers)).json()
        return state if state["status"] in ("succeeded", "failed") else None

    try:
        return await eventually(done, timeout_s=360, interval_s=0.5, what=f"job {job_id} finished")
    except AssertionError as exc:
        logs = (await client.get(f"/jobs/{job_id}/logs", headers=headers)).text
        raise AssertionError(f"{exc}; the job's log:\n{logs}") from None


async def test_a_job_trains_from_an_s3_base_model_fetched_and_checked_on_the_workers_node(
    settings, seed_dataset, tiny_model_dir
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        store = app.state.tuneline.store
        assert isinstance(store, S3ObjectStore)
        models = store.in_bucket(f"tl-models-{secrets.token_hex(4)}")  # another bucket on the same endpoint
        await upload_with_manifest(models, tiny_model_dir, "base/tiny")
        uri = models.uri("base/tiny")
        await upload_dir(models, tiny_model_dir, "base/unchecked")  # the same files, without a manifest
        unchecked = models.uri("base/unchecked")
        _, version_id = await seed_dataset(app, n_train=12, n_val=4)
        cache = settings.model_cache_path()

        # The API reads the model's config.json for the estimate and checks its manifest: it downloads nothing.
        estimate = await client.post(
            "/jobs/estimate",
            json={"base_model": uri, "dataset_version_id": str(version_id), "preset": "quick_start"},
            headers=bearer(settings, "viewer"),
        )
        assert estimate.status_code == 200, estimate.text
        refused = await post_job(client, settings, version_id, unchecked)
        assert refused.status_code == 422 and refused.json()["field"] == "base_model"
        assert unchecked in refused.json()["detail"] and MANIFEST in refused.json()["detail"]
        created = await post_job(client, settings, version_id, uri)
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        assert created.json()["estimate"]["seconds"] > 0  # priced from the config.json in the store
        assert cached_model_dir(uri, cache) is None

        async with running_worker(app, settings):
            job = await finished(client, settings, job_id)
            assert job["status"] == "succeeded", job["failure_reason"]
            # Queued by the platform (dataset.ready, retrain.requested) there is nobody to answer 422: the worker
            # refuses the unchecked model and the job fails naming it.
            async with transaction(app.state.tuneline.sessions) as session:
                request = CreateJobRequest(dataset_version_id=version_id, base_model=unchecked)
                platform_job = await service.create_job(session, settings, request, created_by="test", source="test")
            failed = await finished(client, settings, str(platform_job.id))

        local = cached_model_dir(uri, cache)
        assert local is not None and local.is_relative_to(cache)
        assert (local / "config.json").read_bytes() == (tiny_model_dir / "config.json").read_bytes()
        adapter_key = store.key_from_uri(job["adapter_uri"])  # an s3:// URI is shown as it is
        adapter_config = json.loads(await store.read_bytes(f"{adapter_key}/adapter_config.json"))
        assert adapter_config["base_model_name_or_path"] == uri  # the portable reference, not the node's copy
        metadata = json.loads(await store.read_bytes(f"{adapter_key}/training_metadata.json"))
        assert metadata["base_model"] == uri and metadata["steps"] == job["total_steps"]

        assert failed["status"] == "failed"
        assert unchecked in failed["failure_reason"] and MANIFEST in failed["failure_reason"]
