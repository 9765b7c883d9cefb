"""Studies against real PostgreSQL (Optuna's RDB storage in its own schema) and the Kafka broker: the API, the
worker loop that reports validation losses and prunes, the job events that move a study, cancel, the cost cap and
a restart. The training process is replaced by a scripted one (`ScriptedRunner`): losses fall faster the higher the
learning rate, so the test knows which trials must lose; the tiny-model run is test_worker_integration.py."""

import asyncio
import contextlib
import json
import math
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord, transaction
from tuneline.common.events import UseCaseRetired
from tuneline.common.testing.helpers import bearer, eventually, running_app
from tuneline.training.app import create_app
from tuneline.training.jobs import service as jobs_service
from tuneline.training.settings import TrainingSettings
from tuneline.training.studies.optuna_repository import SamplerSpec, StudyStorage, postgres_storage
from tuneline.training.studies.service import dimensions_of
from tuneline.training.studies.tables import TrainingStudy
from tuneline.training.worker.execute import ExecutionSpec
from tuneline.training.worker.loop import Worker

pytestmark = pytest.mark.integration

FIXED = {"epochs": 2, "batch_size": 4, "max_seq_len": 256, "eval_interval": 3, "checkpoint_interval": 0}
EVAL_STEPS = (3, 6, 9, 12)


@pytest.fixture
def settings(make_settings, tmp_path) -> TrainingSettings:  # type: ignore[no-untyped-def]
    # a schema per test: a study left running by one test would be resumed, and its jobs claimed, in the next
    return make_settings(
        TrainingSettings,
        service_name=f"training_study_{uuid4().hex[:8]}",
        worker_poll_interval_s=0.1,
        heartbeat_interval_s=0.3,
        max_concurrent_jobs=4,
        job_workdir=str(tmp_path / "work"),
    )


def scripted_loss(learning_rate: float, step: int) -> float:
    """The validation loss a run reports: lower, the higher its learning rate and the further it got."""
    return 3.0 - 0.1 * step * math.log10(learning_rate / 1e-6)


class ScriptedRun:
    """One scripted training process: evaluations at EVAL_STEPS, then a result; a cancel request stops it."""

    def __init__(self, spec: ExecutionSpec) -> None:
        self.spec, self.cancelled = spec, False

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        lr = float(self.spec.recipe["learning_rate"])
        losses = []
        for step in EVAL_STEPS:
            await asyncio.sleep(0.05)
            if self.cancelled:
                yield {"type": "result", "status": "cancelled", "metadata": {"status": "cancelled"}}
                return
            losses.append(scripted_loss(lr, step))
            yield {
                "type": "progress",
                "step": step,
                "total_steps": EVAL_STEPS[-1],
                "epoch": step / 6,
                "event": "eval",
                "train_loss": losses[-1],
                "val_loss": losses[-1],
            }
            await asyncio.sleep(0.2)  # the worker's verdict on this evaluation arrives before the next step
        metadata = {
            "status": "completed",
            "method": "lora",
            "tokens_trained": 1000,
            "durations_s": {"train": 1.0, "total": 1.5},
            "final_metrics": {"val_loss": losses[-1], "best_val_loss": min(losses)},
        }
        yield {"type": "result", "status": "completed", "adapter_uri": f"file:///adapters/{self.spec.job_id}",
               "metadata": metadata}  # fmt: skip

    def request(self, action: str) -> None:
        self.cancelled = self.cancelled or action == "cancel"

    def kill(self) -> None:
        self.cancelled = True

    async def outcome(self) -> tuple[int, str]:
        return 0, ""


class ScriptedRunner:
    name = "scripted"

    async def start(self, spec: ExecutionSpec) -> ScriptedRun:
        return ScriptedRun(spec)


@contextlib.asynccontextmanager
async def running_worker(app, settings):  # type: ignore[no-untyped-def]
    worker = Worker(settings, app.state.tuneline.sessions, ScriptedRunner(), name="scripted-worker")  # type: ignore[arg-type]
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield worker
    finally:
        stop.set()
        await task


def study_body(version_id: UUID, **overrides: Any) -> dict[str, Any]:
    body = {
        "dataset_version_id": str(version_id),
        "preset": "quick_start",
        "hyperparameters": FIXED,
        "search_space": {"learning_rate": {"low": 1e-5, "high": 1e-3}},
        "n_trials": 4,
        "parallelism": 1,
        "seed": 11,  # the seeded TPE's first trial samples 9.9e-4, its second 5.3e-5: the second lags and is pruned
        "pruning": {"startup_trials": 1},
    }
    return {**body, **overrides}


async def outbox(app, topic: str, key: str | None = None) -> list[dict]:  # type: ignore[no-untyped-def]
    async with app.state.tuneline.sessions() as session:
        stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == topic).order_by(OutboxRecord.id)
        if key is not None:
            stmt = stmt.where(OutboxRecord.key == key)
        return [json.loads(r.payload) for r in (await session.execute(stmt)).scalars().all()]


async def create_study(client, settings, body: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post("/studies", json=body, headers=bearer(settings, "ml_engineer"))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def get_study(client, settings, study_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/studies/{study_id}", headers=bearer(settings, "viewer"))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_study_queues_trials_as_jobs_with_its_priority_and_keeps_optuna_in_its_own_schema(
    settings, seed_dataset
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        usecase_id, version_id = await seed_dataset(app)
        body = study_body(version_id, parallelism=2, priority=7, search_space={
            "learning_rate": {"low": 1e-5, "high": 1e-3}, "lora_rank": {"choices": [8, 16]}})  # fmt: skip
        study = await create_study(client, settings, body)
        assert (study["status"], study["trials_started"], study["seed"]) == ("running", 2, 11)
        assert [t["state"] for t in study["trials"]] == ["running", "running"]
        assert [t["job_status"] for t in study["trials"]] == ["queued", "queued"]
        assert all(t["estimated_cost_usd"] > 0 and t["params"]["lora_rank"] in (8, 16) for t in study["trials"])
        assert study["cost_usd"] == pytest.approx(sum(t["estimated_cost_usd"] for t in study["trials"]), rel=1e-6)

        jobs = await client.get("/jobs", params={"usecase_id": str(usecase_id)}, headers=bearer(settings, "viewer"))
        by_trial = {j["trial_number"]: j for j in jobs.json()}
        assert set(by_trial) == {0, 1}
        for number, job in by_trial.items():
            trial = study["trials"][number]
            assert (job["study_id"], job["id"], job["source"], job["priority"]) == (study["id"], trial["job_id"],
                                                                                   "study", 7)  # fmt: skip
            assert job["hyperparameters"]["learning_rate"] == pytest.approx(trial["params"]["learning_rate"])
            assert job["hyperparameters"]["epochs"] == 2 and job["estimate"]["cost_usd"] > 0

        listed = (
            await client.get("/studies", params={"usecase_id": str(usecase_id)}, headers=bearer(settings, "viewer"))
        ).json()
        assert [(s["id"], s["trials_started"]) for s in listed] == [(study["id"], 2)]
        async with app.state.tuneline.sessions() as session:
            rows = await session.execute(
                sa.text("SELECT table_schema FROM information_schema.tables WHERE table_name = 'trials'")
            )
            assert {r[0] for r in rows} == {settings.optuna_schema}  # not public, not the service schema


async def test_a_study_runs_its_trials_prunes_the_laggard_and_hands_its_best_trial_to_evaluation(
    settings, seed_dataset
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        study = await create_study(client, settings, study_body(version_id))
        async with running_worker(app, settings):

            async def ended() -> dict | None:
                state = await get_study(client, settings, study["id"])
                return state if state["status"] != "running" else None

            study = await eventually(ended, timeout_s=90, interval_s=0.3, what="study ended")
        assert study["status"] == "succeeded", study["stop_reason"]
        assert study["stop_reason"] == "n_trials reached (4)" and study["trials_started"] == 4
        trials = study["trials"]
        assert [t["number"] for t in trials] == [0, 1, 2, 3]
        assert trials[0]["params"]["learning_rate"] > 5e-4 and trials[1]["params"]["learning_rate"] < 1e-4
        # trial 1 reported a worse loss at its first evaluation than trial 0 had there: pruned, stopped there
        assert (trials[1]["state"], trials[1]["job_status"], trials[1]["stop_reason"]) == ("pruned", "cancelled",
                                                                                           "pruned")  # fmt: skip
        assert [p["step"] for p in trials[1]["curve"]] == [3] and trials[1]["value"] is None
        complete = [t for t in trials if t["state"] == "complete"]
        assert trials[0] in complete and all(len(t["curve"]) == 4 for t in complete)
        best = min(complete, key=lambda t: t["value"])
        assert (study["best_trial_number"], study["best_job_id"]) == (best["number"], best["job_id"])
        assert study["best_value"] == best["value"] == min(p["val_loss"] for p in best["curve"])
        assert study["best_trial"]["number"] == best["number"]

        job = (await client.get(f"/jobs/{trials[1]['job_id']}", headers=bearer(settings, "viewer"))).json()
        assert (job["status"], job["stop_reason"], job["study_id"]) == ("cancelled", "pruned", study["id"])
        (cancelled,) = await outbox(app, "job.cancelled", trials[1]["job_id"])
        assert cancelled["reason"] == "pruned"
        for trial in complete:  # each trial's job.completed says it is a trial: evaluation leaves it
            (completed,) = await outbox(app, "job.completed", trial["job_id"])
            assert completed["study_id"] == study["id"]
        (done,) = await outbox(app, "study.completed", study["id"])
        assert (done["best_job_id"], done["best_value"]) == (best["job_id"], best["value"])
        assert done["best_trial"]["job_id"] == best["job_id"] and done["best_trial"]["study_id"] == study["id"]
        assert done["best_trial"]["adapter_uri"] == f"file:///adapters/{best['job_id']}"
        assert done["trials"]["pruned"] >= 1 and sum(done["trials"].values()) == 4


async def test_the_cost_cap_counts_the_estimates_of_unfinished_trials(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        engineer = bearer(settings, "ml_engineer")
        probe = await create_study(client, settings, study_body(version_id))
        per_trial = probe["trials"][0]["estimated_cost_usd"]  # the search (learning rate) does not change the cost
        assert (await client.post(f"/studies/{probe['id']}/cancel", headers=engineer)).status_code == 200

        capped = await create_study(client, settings, study_body(version_id, parallelism=3,
                                                                 max_cost_usd=2.5 * per_trial))  # fmt: skip
        assert capped["trials_started"] == 2 and capped["cost_usd"] == pytest.approx(2 * per_trial)
        skipped = capped["trials"][2]
        assert (skipped["state"], skipped["job_id"]) == ("skipped", None)
        assert "past its cost cap" in skipped["note"]
        assert capped["stop_reason"].startswith("cost cap reached")

        below = await client.post("/studies", json=study_body(version_id, max_cost_usd=per_trial / 2), headers=engineer)
        assert below.status_code == 422 and below.json()["field"] == "max_cost_usd"


async def test_cancel_stops_the_queued_trials_and_evaluates_nothing(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        study = await create_study(client, settings, study_body(version_id, parallelism=2))
        refused = await client.post(f"/studies/{study['id']}/cancel", headers=bearer(settings, "viewer"))
        assert refused.status_code == 403
        other_team = await client.get(f"/studies/{study['id']}", headers=bearer(settings, "viewer", team="others"))
        assert other_team.status_code == 403

        response = await client.post(f"/studies/{study['id']}/cancel", headers=bearer(settings, "ml_engineer"))
        assert response.status_code == 200, response.text
        cancelled = response.json()
        assert (cancelled["status"], cancelled["stop_reason"]) == ("cancelled", "cancelled by tester")
        assert [(t["state"], t["job_status"], t["stop_reason"]) for t in cancelled["trials"]] == [
            ("failed", "cancelled", "study cancelled")
        ] * 2
        again = await client.post(f"/studies/{study['id']}/cancel", headers=bearer(settings, "ml_engineer"))
        assert again.status_code == 409
        assert await outbox(app, "study.completed", study["id"]) == []


async def test_a_retired_use_case_cancels_its_running_study(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        usecase_id, version_id = await seed_dataset(app)
        study = await create_study(client, settings, study_body(version_id, parallelism=2))
        state = app.state.tuneline
        retired = UseCaseRetired(producer="intake", usecase_id=usecase_id, reason="replaced", retired_by="lead")
        async with transaction(state.sessions) as session:
            await jobs_service.record_retirement(session, retired, state.settings)

        async def ended() -> dict | None:  # the trials' job.cancelled move the study
            current = await get_study(client, settings, study["id"])
            return current if current["status"] != "running" else None

        cancelled = await eventually(ended, timeout_s=30, interval_s=0.2, what="study cancelled")
        assert (cancelled["status"], cancelled["stop_reason"]) == ("cancelled", "use case retired")
        assert {t["job_status"] for t in cancelled["trials"]} == {"cancelled"} and cancelled["trials_started"] == 2
        assert await outbox(app, "study.completed", study["id"]) == []


async def test_refuses_a_study_the_jobs_could_not_run_naming_the_field(settings, seed_dataset, events) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        usecase_id, version_id = await seed_dataset(app)
        engineer = bearer(settings, "ml_engineer")
        cases = [
            ({"search_space": {"learning_rate": {"low": 1e-5, "high": 2e-3}}}, "search_space.learning_rate.high"),
            ({"search_space": {"warmup_steps": {"low": 0, "high": 10}}}, "search_space.warmup_steps"),
            ({"hyperparameters": {**FIXED, "eval_interval": 0}}, "hyperparameters.eval_interval"),
            ({"hyperparameters": {**FIXED, "weight_decay": 0.5}}, "hyperparameters.weight_decay"),
        ]
        for overrides, field in cases:
            response = await client.post("/studies", json=study_body(version_id, **overrides), headers=engineer)
            assert response.status_code == 422, (field, response.text)
            assert response.json()["field"] == field

        no_validation = uuid4()
        state = app.state.tuneline
        ready = events.dataset_ready(usecase_id, uuid4(), no_validation, {"train": "file:///x/train.jsonl"},
                                     {"train": 24})  # fmt: skip
        async with transaction(state.sessions) as session:
            await jobs_service.record_dataset_ready(session, ready, state.settings)
        response = await client.post("/studies", json=study_body(no_validation), headers=engineer)
        assert response.status_code == 422 and response.json()["field"] == "dataset_version_id"
        assert "validation" in response.json()["detail"]
        viewer = await client.post("/studies", json=study_body(version_id), headers=bearer(settings, "viewer"))
        assert viewer.status_code == 403
        async with state.sessions() as session:
            assert (await session.execute(sa.select(sa.func.count()).select_from(TrainingStudy))).scalar() == 0


async def test_a_restarted_service_resumes_running_studies(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        study = await create_study(client, settings, study_body(version_id))
        assert study["trials_started"] == 1
        async with app.state.tuneline.sessions() as session:
            row = await session.get(TrainingStudy, UUID(study["id"]))
            assert row is not None
            dims = dimensions_of(row)
    # While the service is down, a process hands out a trial and dies before queueing its job.
    storage = StudyStorage(postgres_storage(settings.database_url, settings.optuna_schema))
    try:
        number, params = await storage.ask(study["id"], dims, SamplerSpec(seed=11, startup_trials=2))
    finally:
        await asyncio.to_thread(storage.close)

    again = create_app(settings)
    async with running_app(again) as client:

        async def adopted() -> dict | None:
            state = await get_study(client, settings, study["id"])
            return state if state["trials_started"] == 2 else None

        resumed = await eventually(adopted, timeout_s=30, interval_s=0.2, what="trial adopted at start")
        assert resumed["status"] == "running"
        first, orphan = resumed["trials"]
        assert (first["job_id"], first["job_status"]) == (study["trials"][0]["job_id"], "queued")  # untouched
        assert orphan["number"] == number and orphan["job_status"] == "queued"
        job = (await client.get(f"/jobs/{orphan['job_id']}", headers=bearer(settings, "viewer"))).json()
        assert job["hyperparameters"]["learning_rate"] == pytest.approx(params["learning_rate"])
