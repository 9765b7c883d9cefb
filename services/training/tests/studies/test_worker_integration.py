"""A 4-trial study on the tiny model through the service's real worker path: real PostgreSQL (Optuna's storage
included), Kafka, object store and training subprocesses. Nothing is scripted: the seeded sampler's first trial
trains at a high learning rate and its second at a rate twenty times lower, whose validation loss lags at its first
evaluation; the median pruner stops it through the cancel path, and the best complete trial goes to evaluation in
study.completed."""

import asyncio
import contextlib
import json
from uuid import uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord
from tuneline.common.testing.helpers import bearer, eventually, running_app
from tuneline.training.app import create_app
from tuneline.training.settings import TrainingSettings
from tuneline.training.worker.loop import Worker
from tuneline.training.worker.runners import SubprocessRunner

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(make_settings, tmp_path) -> TrainingSettings:  # type: ignore[no-untyped-def]
    return make_settings(
        TrainingSettings,
        service_name=f"training_study_run_{uuid4().hex[:6]}",
        worker_poll_interval_s=0.2,
        heartbeat_interval_s=0.3,
        job_workdir=str(tmp_path / "work"),
        worker_torch_threads=1,
    )


@contextlib.asynccontextmanager
async def running_worker(app, settings):  # type: ignore[no-untyped-def]
    worker = Worker(settings, app.state.tuneline.sessions, SubprocessRunner({"OMP_NUM_THREADS": "1"}), name="w")
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield worker
    finally:
        stop.set()
        await task


async def outbox(app, topic: str, key: str) -> list[dict]:  # type: ignore[no-untyped-def]
    async with app.state.tuneline.sessions() as session:
        stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == topic, OutboxRecord.key == key)
        return [json.loads(r.payload) for r in (await session.execute(stmt.order_by(OutboxRecord.id))).scalars()]


async def test_a_four_trial_study_on_the_tiny_model_prunes_a_trial_and_hands_its_best_to_evaluation(
    settings, seed_dataset
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        body = {
            "dataset_version_id": str(version_id),
            "preset": "quick_start",
            # 24 records in batches of 4, one epoch: 6 steps, evaluated at steps 2, 4 and 6
            "hyperparameters": {
                "epochs": 1,
                "batch_size": 4,
                "max_seq_len": 256,
                "lora_rank": 8,
                "eval_interval": 2,
                "checkpoint_interval": 0,
            },
            "search_space": {"learning_rate": {"low": 1e-5, "high": 1e-3}},
            "n_trials": 4,
            "parallelism": 1,
            "seed": 11,  # trial 0 samples 9.9e-4, trial 1 5.3e-5 (then TPE)
            "pruning": {"startup_trials": 1},
        }
        created = await client.post("/studies", json=body, headers=bearer(settings, "ml_engineer"))
        assert created.status_code == 201, created.text
        study_id = created.json()["id"]
        async with running_worker(app, settings):

            async def ended() -> dict | None:
                state = (await client.get(f"/studies/{study_id}", headers=bearer(settings, "viewer"))).json()
                return state if state["status"] != "running" else None

            study = await eventually(ended, timeout_s=600, interval_s=1.0, what="study ended")
        assert study["status"] == "succeeded", study["stop_reason"]
        trials = study["trials"]
        assert [t["number"] for t in trials] == [0, 1, 2, 3]
        pruned = [t for t in trials if t["state"] == "pruned"]
        assert pruned, [(t["state"], t["params"], t["curve"]) for t in trials]
        for trial in pruned:  # stopped by the pruner through the cancel path, before its last evaluation
            assert (trial["job_status"], trial["stop_reason"]) == ("cancelled", "pruned")
            assert trial["curve"] and trial["curve"][-1]["step"] < 6
            (cancelled,) = await outbox(app, "job.cancelled", trial["job_id"])
            assert cancelled["reason"] == "pruned"
        complete = [t for t in trials if t["state"] == "complete"]
        assert trials[0] in complete and all([p["step"] for p in t["curve"]] == [2, 4, 6] for t in complete)
        best = min(complete, key=lambda t: t["value"])
        assert study["best_job_id"] == best["job_id"] and study["best_value"] == best["value"]
        job = (await client.get(f"/jobs/{best['job_id']}", headers=bearer(settings, "viewer"))).json()
        assert job["status"] == "succeeded" and job["metrics"]["best_val_loss"] == best["value"]
        assert job["adapter_uri"].startswith("store:jobs/")
        for trial in complete:  # a trial's own job.completed is marked: evaluation leaves it to the study
            (completed,) = await outbox(app, "job.completed", trial["job_id"])
            assert completed["study_id"] == study_id
        (done,) = await outbox(app, "study.completed", study_id)
        assert done["best_job_id"] == best["job_id"] and done["best_trial"]["job_id"] == best["job_id"]
        assert app.state.tuneline.store.key_from_uri(done["best_trial"]["adapter_uri"]) == job["adapter_uri"][6:]
        assert done["trials"]["pruned"] == len(pruned) and done["trials"]["complete"] == len(complete)
