"""The worker process logic end to end: real PostgreSQL, Kafka, object store and training subprocesses
on the tiny model (each job trains for a few seconds)."""

import asyncio
import contextlib
import json
import os
import signal
from datetime import timedelta
from uuid import UUID

import psutil
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer

from tuneline.common.db import OutboxRecord, transaction
from tuneline.common.events import JOB_COMPLETED, utcnow
from tuneline.common.testing.helpers import bearer, eventually, running_app
from tuneline.training.app import create_app
from tuneline.training.jobs import repository
from tuneline.training.settings import TrainingSettings
from tuneline.training.worker.loop import Worker
from tuneline.training.worker.runners import SubprocessRunner

pytestmark = pytest.mark.integration

FAST_JOB = {
    "epochs": 2,
    "batch_size": 4,
    "learning_rate": 1e-3,
    "max_seq_len": 256,
    "lora_rank": 8,
    "eval_interval": 3,
    "checkpoint_interval": 3,
}


@pytest.fixture
def settings(make_settings, tmp_path) -> TrainingSettings:  # type: ignore[no-untyped-def]
    return make_settings(
        TrainingSettings,
        service_name="training_worker_tests",
        worker_poll_interval_s=0.2,
        heartbeat_interval_s=0.3,
        job_workdir=str(tmp_path / "work"),
        worker_torch_threads=1,
    )


@contextlib.asynccontextmanager
async def running_worker(app, settings):  # type: ignore[no-untyped-def]
    worker = Worker(
        settings, app.state.tuneline.sessions, SubprocessRunner({"OMP_NUM_THREADS": "1"}), name="test-worker"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield worker
    finally:
        stop.set()
        await task


async def job_state(client, settings, job_id: str) -> dict:  # type: ignore[no-untyped-def]
    return (await client.get(f"/jobs/{job_id}", headers=bearer(settings, "viewer"))).json()


async def outbox_payloads(app, topic: str, job_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    async with app.state.tuneline.sessions() as session:
        stmt = (
            sa.select(OutboxRecord)
            .where(OutboxRecord.topic == topic, OutboxRecord.key == job_id)
            .order_by(OutboxRecord.id)
        )
        return [json.loads(r.payload) for r in (await session.execute(stmt)).scalars().all()]


async def create_job(client, settings, version_id: UUID, **hyperparameters) -> str:  # type: ignore[no-untyped-def]
    body = {"dataset_version_id": str(version_id), "preset": "quick_start", "hyperparameters": hyperparameters}
    response = await client.post("/jobs", json=body, headers=bearer(settings, "ml_engineer"))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_worker_trains_a_job_stores_the_adapter_and_publishes_completed(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        job_id = await create_job(client, settings, version_id, **FAST_JOB)
        kafka = AIOKafkaConsumer(
            JOB_COMPLETED.name,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=f"test-{job_id}",
            auto_offset_reset="earliest",
        )
        await kafka.start()
        try:
            async with running_worker(app, settings):

                async def done() -> dict | None:
                    state = await job_state(client, settings, job_id)
                    return state if state["status"] in ("succeeded", "failed") else None

                job = await eventually(done, timeout_s=240, interval_s=0.5, what="job finished")
            assert job["status"] == "succeeded", job["failure_reason"]
            assert job["method_ran"] == "lora" and job["method_requested"] == "qlora"
            assert job["step"] == job["total_steps"] == 12 and job["progress_percent"] == 100.0
            assert (job["phase"], job["eta_seconds"]) == ("done", 0.0)
            assert job["trained_tokens"] > 0 and job["metrics"]["val_loss"] > 0

            store = app.state.tuneline.store
            # the answer names the adapter by its key in the store (store:<key>); the event carries the full URI
            assert job["adapter_uri"].startswith("store:jobs/")
            adapter_key = job["adapter_uri"].removeprefix("store:")
            assert await store.exists(f"{adapter_key}/adapter_model.safetensors")
            metadata = json.loads(await store.read_bytes(f"{adapter_key}/training_metadata.json"))
            assert metadata["steps"] == 12 and metadata["method"] == "lora"

            async def completed_event() -> dict | None:
                batch = await kafka.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        payload = json.loads(record.value)
                        if payload["job_id"] == job_id:
                            return payload
                return None

            event = await eventually(completed_event, timeout_s=30, what="job.completed on Kafka")
            assert store.key_from_uri(event["adapter_uri"]) == adapter_key and event["method"] == "lora"
            assert event["validation_split_uri"] and event["trained_tokens"] == job["trained_tokens"]
        finally:
            await kafka.stop()

        headers = bearer(settings, "viewer")
        metrics = (await client.get(f"/jobs/{job_id}/metrics", headers=headers)).json()
        assert [m["step"] for m in metrics if m["event"] == "eval"] == [3, 6, 9, 12]
        assert all(m["val_loss"] > 0 for m in metrics if m["event"] == "eval")
        logs = (await client.get(f"/jobs/{job_id}/logs", headers=headers)).text
        for line in (
            "claimed by worker test-worker",
            "started on test-worker",
            "checkpoint at step 3 stored",
            "succeeded",
        ):
            assert line in logs
        started = await outbox_payloads(app, "job.started", job_id)
        assert [e["resumed_from_step"] for e in started] == [None]
        progress = await outbox_payloads(app, "job.progress", job_id)
        assert len(progress) >= 4
        # every phase the run went through, in order (no replay in this job: it passes generating_replay silently)
        phases = [p["phase"] for p in progress]
        seen = [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p]
        assert seen == ["preparing_data", "loading_model", "training", "saving"], seen
        assert all(p["eta_seconds"] is not None and p["eta_seconds"] >= 0 for p in progress)
        training = [p for p in progress if p["phase"] == "training"]
        assert training[-1]["phase_done"] == training[-1]["phase_total"] == 12

        stream = await client.get(f"/jobs/{job_id}/stream", headers=headers)
        kinds = [line.split(":", 1)[1].strip() for line in stream.text.splitlines() if line.startswith("event:")]
        assert kinds.count("progress") == len(metrics) and kinds[-1] == "status"
        assert '"phase": "done"' in stream.text
        assert '"status": "succeeded"' in stream.text


async def test_killed_training_process_is_resumed_from_its_checkpoint(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app, n_train=40)
        job_id = await create_job(client, settings, version_id, **{**FAST_JOB, "checkpoint_interval": 2})
        async with running_worker(app, settings):

            async def checkpointed() -> bool:
                return ((await job_state(client, settings, job_id)).get("last_checkpoint_step") or 0) >= 2

            await eventually(checkpointed, timeout_s=180, interval_s=0.2, what="first checkpoint")
            # the out-of-memory killer, say: SIGKILL the training process under the worker
            children = [
                p
                for p in psutil.Process(os.getpid()).children(recursive=True)
                if "tuneline.training.worker.execute" in " ".join(p.cmdline())
            ]
            assert len(children) == 1
            children[0].send_signal(signal.SIGKILL)

            async def finished() -> dict | None:
                state = await job_state(client, settings, job_id)
                return state if state["status"] in ("succeeded", "failed") else None

            job = await eventually(finished, timeout_s=240, interval_s=0.5, what="resumed job finished")
        assert job["status"] == "succeeded", job["failure_reason"]
        assert job["attempts"] == 2
        started = await outbox_payloads(app, "job.started", job_id)
        assert started[0]["resumed_from_step"] is None and started[1]["resumed_from_step"] >= 2
        metrics = (await client.get(f"/jobs/{job_id}/metrics", headers=bearer(settings, "viewer"))).json()
        steps = [m["step"] for m in metrics if m["event"] == "step"]
        assert steps == sorted(steps) and len(steps) == len(set(steps))  # the curve continues, no replayed points
        logs = (await client.get(f"/jobs/{job_id}/logs", headers=bearer(settings, "viewer"))).text
        assert "killed by signal 9; re-queued to resume from step" in logs


async def test_a_stopping_worker_checkpoints_its_job_and_hands_it_back_to_the_queue(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM sets the worker's stop event (tuneline.common.worker): the job is asked to pause, writes a checkpoint
    at the step it reached, and goes back to the queue at once without using up an attempt; the next worker resumes
    it from there. The same request reaches a Ray task through its control actor (runners.py)."""
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app, n_train=40)
        job_id = await create_job(client, settings, version_id, **{**FAST_JOB, "epochs": 10, "batch_size": 1})
        worker = Worker(settings, app.state.tuneline.sessions, SubprocessRunner({"OMP_NUM_THREADS": "1"}), name="w1")
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))

        async def training() -> bool:
            return (await job_state(client, settings, job_id))["step"] >= 1

        await eventually(training, timeout_s=180, interval_s=0.2, what="training under way")
        stop.set()  # what SIGTERM does
        await asyncio.wait_for(task, timeout=120)
        job = await job_state(client, settings, job_id)
        assert job["status"] == "queued" and job["attempts"] == 0, job
        assert job["last_checkpoint_step"] is not None and job["last_checkpoint_step"] >= 1
        logs = (await client.get(f"/jobs/{job_id}/logs", headers=bearer(settings, "viewer"))).text
        assert f"worker w1 stopped; handed back to resume from step {job['last_checkpoint_step']}" in logs

        async with running_worker(app, settings):

            async def resumed() -> dict | None:
                state = await job_state(client, settings, job_id)
                return state if state["status"] in ("running", "succeeded", "failed") else None

            await eventually(resumed, timeout_s=180, interval_s=0.3, what="job resumed by the next worker")
        started = await outbox_payloads(app, "job.started", job_id)
        assert started[-1]["resumed_from_step"] == job["last_checkpoint_step"]


async def test_cancel_request_stops_a_running_job(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app, n_train=40)
        job_id = await create_job(client, settings, version_id, **{**FAST_JOB, "epochs": 10, "batch_size": 1})
        async with running_worker(app, settings):

            async def training() -> bool:
                return (await job_state(client, settings, job_id))["step"] >= 1

            await eventually(training, timeout_s=180, interval_s=0.2, what="training under way")
            response = await client.post(f"/jobs/{job_id}/cancel", headers=bearer(settings, "ml_engineer"))
            assert response.status_code == 200 and response.json()["requested_action"] == "cancel"

            async def cancelled() -> dict | None:
                state = await job_state(client, settings, job_id)
                return state if state["status"] == "cancelled" else None

            job = await eventually(cancelled, timeout_s=60, interval_s=0.3, what="job cancelled")
        assert job["step"] < job["total_steps"] and job["adapter_uri"] is None
        (event,) = await outbox_payloads(app, "job.cancelled", job_id)
        assert event["cancelled_by"] == "request"


async def test_reaper_requeues_a_job_whose_worker_vanished_then_fails_it_when_out_of_attempts(
    settings,
    seed_dataset,  # type: ignore[no-untyped-def]
) -> None:
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        job_id = await create_job(client, settings, version_id)
        sessions = app.state.tuneline.sessions
        long_ago = utcnow() - timedelta(minutes=10)

        async def vanish(attempts: int) -> None:
            async with transaction(sessions) as session:
                job = await repository.get_job(session, UUID(job_id))
                job.status, job.worker, job.heartbeat_at, job.attempts = "running", "ghost", long_ago, attempts
                job.last_checkpoint_step, job.step = 4, 5

        worker = Worker(settings, sessions, SubprocessRunner(), name="reaper")
        await vanish(attempts=1)
        await worker.reap_lost_jobs()
        job = await job_state(client, settings, job_id)
        assert job["status"] == "queued" and job["worker"] is None
        logs = (await client.get(f"/jobs/{job_id}/logs", headers=bearer(settings, "viewer"))).text
        assert "worker ghost stopped sending heartbeats at step 5; re-queued to resume from step 4" in logs

        await vanish(attempts=settings.max_job_attempts)
        await worker.reap_lost_jobs()
        job = await job_state(client, settings, job_id)
        assert job["status"] == "failed" and "gave up after 3 attempts" in job["failure_reason"]
        (failed,) = await outbox_payloads(app, "job.failed", job_id)
        assert "stopped sending heartbeats" in failed["reason"]
