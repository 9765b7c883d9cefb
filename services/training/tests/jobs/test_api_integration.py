"""The jobs API and consumers against real PostgreSQL and the Kafka broker (no training runs here)."""

import asyncio
import json
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord, transaction
from tuneline.common.events import DATASET_READY, USECASE_APPROVED, UseCaseApproved, UseCasePolicy
from tuneline.common.messaging import publish_now
from tuneline.common.results import TrainingMetadata
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app
from tuneline.training.app import create_app
from tuneline.training.jobs import repository
from tuneline.training.jobs.tables import TrainingJobMetric
from tuneline.training.settings import TrainingSettings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(make_settings) -> TrainingSettings:  # type: ignore[no-untyped-def]
    return make_settings(TrainingSettings, service_name="training_api_tests")


async def outbox(app, topic: str, job_id: UUID) -> list[OutboxRecord]:  # type: ignore[no-untyped-def]
    async with app.state.tuneline.sessions() as session:
        stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == topic, OutboxRecord.key == str(job_id))
        return list((await session.execute(stmt)).scalars().all())


async def test_dataset_ready_event_queues_one_job_when_policy_says_auto_train(
    settings,
    tiny_model_dir,
    events,  # type: ignore[no-untyped-def]
) -> None:
    app = create_app(settings)
    async with running_app(app) as client:
        broker = app.state.tuneline.broker
        usecase_id, dataset_id, version_id = uuid4(), uuid4(), uuid4()
        ready = events.dataset_ready(
            usecase_id, dataset_id, version_id, {"train": "file:///nowhere/train.jsonl"}, {"train": 40}
        )
        # the data arrives before the approval reaches training: the job waits for the use case's policy
        await publish_now(broker, DATASET_READY, ready)
        await publish_now(
            broker,
            USECASE_APPROVED,
            UseCaseApproved(
                producer="intake",
                usecase_id=usecase_id,
                title="t",
                industry="manufacturing",
                task_type="classification",
                base_model=str(tiny_model_dir),
                method="qlora",
                policy=UseCasePolicy(auto_train=True, training_preset="quick_start"),
                approved_by="lead",
                team=TEST_TEAM,
            ),
        )
        headers = bearer(settings, "viewer")

        async def jobs() -> list:
            return (await client.get("/jobs", params={"usecase_id": str(usecase_id)}, headers=headers)).json()

        (job,) = await eventually(jobs, timeout_s=30, what="auto-trained job queued")
        assert job["status"] == "queued" and job["source"] == "dataset.ready"
        assert job["preset"] == "quick_start" and job["method_requested"] == "qlora"
        assert job["dataset_version_id"] == str(version_id)
        assert len(await outbox(app, "job.queued", UUID(job["id"]))) == 1

        await publish_now(broker, DATASET_READY, ready)  # redelivery of the same event
        await asyncio.sleep(1.5)
        assert len(await jobs()) == 1


async def test_create_job_refuses_out_of_range_hyperparameters_naming_the_field(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        body = {"dataset_version_id": str(version_id), "hyperparameters": {"epochs": 50}}
        response = await client.post("/jobs", json=body, headers=headers)
        assert response.status_code == 422
        assert response.json()["field"] == "hyperparameters.epochs"
        assert "epochs must be between 1 and 10, got 50" in response.json()["detail"]

        unknown = await client.post("/jobs", json={"dataset_version_id": str(uuid4())}, headers=headers)
        assert unknown.status_code == 404 and unknown.json()["field"] == "dataset_version_id"

        viewer = await client.post(
            "/jobs", json={"dataset_version_id": str(version_id)}, headers=bearer(settings, "viewer")
        )
        assert viewer.status_code == 403


async def test_queued_job_cancels_at_once_and_illegal_actions_answer_409_with_allowed(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        created = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=headers)
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]

        paused = await client.post(f"/jobs/{job_id}/pause", headers=headers)
        assert paused.status_code == 409
        assert paused.json()["current"] == "queued" and paused.json()["allowed"] == ["cancelled"]

        cancelled = await client.post(f"/jobs/{job_id}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        (event,) = await outbox(app, "job.cancelled", UUID(job_id))
        assert '"cancelled_by":"tester"' in event.payload

        again = await client.post(f"/jobs/{job_id}/resume", headers=headers)
        assert again.status_code == 409 and again.json()["allowed"] == []


async def test_another_teams_ml_engineer_can_neither_steer_nor_read_nor_queue_a_job(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    """The attack: an ml_engineer of another team cancels, pauses or resumes a job; a viewer of another team or a
    token with no role reads its progress, metrics or log. Each is refused (403) and audited."""
    from tuneline.common.db import AuditRecord

    app = create_app(settings)
    async with running_app(app) as client:
        usecase_id, version_id = await seed_dataset(app)
        own = bearer(settings, "ml_engineer", subject="mia")
        created = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=own)
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        assert created.json()["team"] == TEST_TEAM  # inherited from the use case

        intruder = bearer(settings, "ml_engineer", subject="ivan", team="other-team")
        for action in ("cancel", "pause", "resume"):
            refused = await client.post(f"/jobs/{job_id}/{action}", headers=intruder)
            assert refused.status_code == 403, action
            assert f"may not {action} training_job {job_id}" in refused.json()["detail"]
            assert "belongs to team 'test-team'" in refused.json()["detail"]
        queued = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=intruder)
        assert queued.status_code == 403

        outsider = bearer(settings, "viewer", subject="otto", team="other-team")
        roleless = bearer(settings, subject="nora")
        for path in ("", "/metrics", "/logs"):
            assert (await client.get(f"/jobs/{job_id}{path}", headers=outsider)).status_code == 403, path
            assert (await client.get(f"/jobs/{job_id}{path}", headers=roleless)).status_code == 403, path
        assert (await client.get("/jobs", params={"usecase_id": str(usecase_id)}, headers=outsider)).json() == []
        assert (await client.get("/jobs", headers=roleless)).status_code == 403

        # the team's own viewer reads it; an admin of any team steers it
        viewer = bearer(settings, "viewer", subject="vic")
        assert (await client.get(f"/jobs/{job_id}", headers=viewer)).json()["status"] == "queued"
        listed = await client.get("/jobs", params={"usecase_id": str(usecase_id)}, headers=viewer)
        assert [j["id"] for j in listed.json()] == [job_id]
        admin = bearer(settings, "admin", subject="ada", team="platform")
        assert (await client.post(f"/jobs/{job_id}/cancel", headers=admin)).json()["status"] == "cancelled"

        async with app.state.tuneline.sessions() as session:
            stmt = sa.select(AuditRecord).where(
                AuditRecord.action == "access.denied", AuditRecord.resource_id == job_id
            )
            denials = (await session.execute(stmt)).scalars().all()
        assert {(d.actor, d.details["attempted"]) for d in denials} >= {
            ("ivan", "cancel"),
            ("ivan", "pause"),
            ("ivan", "resume"),
            ("otto", "read"),
        }


async def test_claim_takes_highest_priority_first_and_respects_the_concurrency_limit(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        ids = []
        for priority in (0, 7, 7):
            body = {"dataset_version_id": str(version_id), "priority": priority}
            ids.append((await client.post("/jobs", json=body, headers=headers)).json()["id"])
        sessions = app.state.tuneline.sessions

        async def claim(worker: str, limit: int):  # type: ignore[no-untyped-def]
            async with transaction(sessions) as session:
                job = await repository.claim_next_job(session, worker, limit)
                return str(job.id) if job else None

        # other tests' jobs in this schema are cancelled or finished; only ours are queued
        first, second = await asyncio.gather(claim("w1", 2), claim("w2", 2))
        assert {first, second} == {ids[1], ids[2]}  # the two priority-7 jobs, never the same one twice
        assert await claim("w3", 2) is None  # two active already
        job = (await client.get(f"/jobs/{ids[0]}", headers=headers)).json()
        assert job["status"] == "queued"
        for job_id in ids:
            await client.post(f"/jobs/{job_id}/cancel", headers=headers)


async def test_the_concurrency_limit_counts_the_jobs_of_each_worker_pool_apart(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        # the most urgent jobs in this schema: claimed before any other test's that may still be queued
        body = {"dataset_version_id": str(version_id), "priority": 100}
        ids = [(await client.post("/jobs", json=body, headers=headers)).json()["id"] for _ in range(3)]
        sessions = app.state.tuneline.sessions

        async def claim(worker: str, pool: str):  # type: ignore[no-untyped-def]
            async with transaction(sessions) as session:
                job = await repository.claim_next_job(session, worker, 1, pool)
                return str(job.id) if job else None

        on_cpu = await claim("cpu-1", "cpu-pool")
        assert on_cpu in ids
        assert await claim("cpu-2", "cpu-pool") is None  # the pool runs its one job
        on_gpu = await claim("gpu-1", "gpu-pool")  # another pool's limit is its own
        assert on_gpu in ids and on_gpu != on_cpu
        job = (await client.get(f"/jobs/{on_gpu}", headers=headers)).json()
        assert (job["worker"], job["worker_pool"]) == ("gpu-1", "gpu-pool")
        assert await claim("gpu-2", "gpu-pool") is None
        for job_id in ids:
            await client.post(f"/jobs/{job_id}/cancel", headers=headers)


async def test_estimate_prices_every_profile_and_refuses_what_cannot_fit(settings) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        headers = bearer(settings, "viewer")
        body = {
            "base_model": "smollm2-135m-instruct",
            "method": "lora",
            "preset": "balanced",
            "train_records": 1000,
            "mean_tokens_per_record": 100,
        }
        response = await client.post("/jobs/estimate", json=body, headers=headers)
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["tokens_per_epoch"] == 100_000 and result["total_steps"] == 3 * 125
        cpu = next(o for o in result["options"] if o["hardware"] == "cpu-2core")
        # LoRA: 4 x 134,515,008 FLOP per token at the profile's 0.08 TFLOP/s (no job finished in this schema)
        assert cpu["tokens_per_second"] == pytest.approx(0.08e12 / (4 * 134_515_008))
        assert cpu["training_seconds"] == pytest.approx(300_000 / cpu["tokens_per_second"])
        # no general replay in this preset: the whole run is the steps and saving the adapter
        assert cpu["replay_cache"] == "off" and cpu["replay_seconds"] == 0
        assert cpu["seconds"] == pytest.approx(cpu["training_seconds"] + cpu["save_seconds"])
        assert cpu["fit"] == "ok"

        big = {**body, "base_model": "llama-3.1-8b", "method": "full", "hardware": ["nvidia-t4"]}
        (t4,) = (await client.post("/jobs/estimate", json=big, headers=headers)).json()["options"]
        assert t4["fit"] == "refused" and "use LoRA or QLoRA" in t4["message"]

        unknown = await client.post("/jobs/estimate", json={**body, "base_model": "gpt-9"}, headers=headers)
        assert unknown.status_code == 422 and unknown.json()["field"] == "base_model"


async def test_estimate_counts_the_replay_generation_while_the_workers_cache_for_the_base_model_is_cold(
    settings, tiny_model_dir, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from tuneline.training.worker import replay

    settings = settings.model_copy(update={"model_cache_dir": str(tmp_path / "models")})  # the workers' cache too
    app = create_app(settings)
    async with running_app(app) as client:
        headers = bearer(settings, "viewer")
        body = {
            "base_model": str(tiny_model_dir),
            "hyperparameters": {"general_replay": 0.25, "max_seq_len": 256},
            "train_records": 320,
            "mean_tokens_per_record": 60,
            "hardware": ["cpu-2core"],
        }
        response = await client.post("/jobs/estimate", json=body, headers=headers)
        assert response.status_code == 200, response.text
        (cold,) = response.json()["options"]
        prompts = len(replay.load_general_prompts())
        assert (cold["replay_cache"], cold["replay_answers"]) == ("cold", prompts)
        assert cold["seconds"] == pytest.approx(
            cold["replay_seconds"] + cold["training_seconds"] + cold["save_seconds"]
        )
        assert f"generating {prompts} general-replay answers" in cold["breakdown"][0]

        # what a worker writes after generating them (<model cache>/replay/general-replay-<key>.json)
        cache = tmp_path / "models" / "replay"
        cache.mkdir(parents=True)
        replay.cache_file(cache, tiny_model_dir, replay.load_general_prompts()).write_text('{"a": "b"}')
        (warm,) = (await client.post("/jobs/estimate", json=body, headers=headers)).json()["options"]
        assert (warm["replay_cache"], warm["replay_answers"], warm["replay_seconds"]) == ("warm", 0, 0.0)
        assert warm["training_seconds"] == cold["training_seconds"]
        assert warm["seconds"] == pytest.approx(cold["seconds"] - cold["replay_seconds"])


async def test_a_retrain_request_reuses_the_recipe_of_the_last_succeeded_job(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    """A model retrained on drift keeps what made it pass the release gate (e.g. its general replay); without an
    earlier job the use case's preset applies."""
    from tuneline.common.events import RETRAIN_REQUESTED, RetrainRequested
    from tuneline.training.jobs import service

    app = create_app(settings)
    async with running_app(app) as client:
        usecase_id, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        recipe = {"epochs": 2, "batch_size": 8, "learning_rate": 3e-4, "lora_dropout": 0.0, "general_replay": 0.25}
        r = await client.post(
            "/jobs",
            json={"dataset_version_id": str(version_id), "preset": "balanced", "hyperparameters": recipe},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        first = UUID(r.json()["id"])
        state = app.state.tuneline
        async with transaction(state.sessions) as session:  # as the worker leaves a finished run
            job = await repository.get_job(session, first)
            assert job is not None
            job.status = "running"
            await service.complete_job(session, settings, job, "file:///adapter", TrainingMetadata(status="completed"))

        request = RetrainRequested(producer="monitoring", usecase_id=usecase_id, reason="input drift")
        await publish_now(state.broker, RETRAIN_REQUESTED, request)

        async def retrain_job():  # type: ignore[no-untyped-def]
            jobs = (await client.get("/jobs", params={"usecase_id": str(usecase_id)}, headers=headers)).json()
            items = jobs["items"] if isinstance(jobs, dict) else jobs
            return next((j for j in items if j["source"] == "retrain.requested"), None)

        retrain = await eventually(retrain_job, timeout_s=30, what="the retraining job")
        assert retrain["preset"] == "balanced"
        assert {k: retrain["hyperparameters"][k] for k in recipe} == recipe
        assert retrain["dataset_version_id"] == str(version_id)


async def test_a_finished_job_refines_the_shared_cost_model_and_reports_the_measurement(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    """The measured throughput is folded into this deployment's profile, and job.completed carries what intake
    needs to fold the same measurement into its estimates (tuneline.common.costing)."""
    import json

    from tuneline.common.costing import fold_measurement
    from tuneline.common.results import Durations
    from tuneline.training.jobs import service

    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        r = await client.post(
            "/jobs", json={"dataset_version_id": str(version_id)}, headers=bearer(settings, "ml_engineer")
        )
        assert r.status_code == 201, r.text
        job_id = UUID(r.json()["id"])
        state = app.state.tuneline
        async with transaction(state.sessions) as session:
            job = await repository.get_job(session, job_id)
            assert job is not None
            shape = service.model_shape(job.base_model)
            assert shape is not None
            before = (await service.hardware_table(session)).get(settings.hardware_profile)
            job.status, job.method_ran = "running", "lora"
            metadata = TrainingMetadata(
                status="completed", method="lora", tokens_trained=2_000_000, durations_s=Durations(train=500, total=560)
            )
            await service.complete_job(session, settings, job, "file:///adapter", metadata)
        async with state.sessions() as session:
            after = (await service.hardware_table(session)).get(settings.hardware_profile)

        assert after == fold_measurement(before, params=shape.params, method="lora", tokens=2_000_000, seconds=500)
        [record] = await outbox(app, "job.completed", job_id)
        event = json.loads(record.payload)
        assert (event["hardware_profile"], event["parameters"]) == (settings.hardware_profile, shape.params)
        assert (event["trained_tokens"], event["train_seconds"], event["duration_seconds"]) == (2_000_000, 500, 560)


async def ready_version(app, events, usecase_id: UUID, split_uris: dict[str, str], record_format="instruction") -> UUID:  # type: ignore[no-untyped-def]
    """Another ready dataset version of a use case (e.g. an OpenAI validation_file), no job queued for it."""
    from tuneline.training.jobs import service

    state, version_id = app.state.tuneline, uuid4()
    counts = {split: 4 for split in split_uris}
    ready = events.dataset_ready(usecase_id, uuid4(), version_id, split_uris, counts, record_format=record_format)
    async with transaction(state.sessions) as session:
        assert await service.record_dataset_ready(session, ready, state.settings) is None
    return version_id


async def test_a_job_with_a_validation_version_stores_every_split_of_it_and_logs_it(
    settings,
    seed_dataset,
    events,  # type: ignore[no-untyped-def]
) -> None:
    app = create_app(settings)
    async with running_app(app) as client:
        usecase_id, version_id = await seed_dataset(app)
        uris = {split: f"file:///validation-file/{split}.jsonl" for split in ("test", "train", "validation")}
        validation_id = await ready_version(app, events, usecase_id, uris)
        headers = bearer(settings, "ml_engineer")
        body = {"dataset_version_id": str(version_id), "validation_dataset_version_id": str(validation_id)}

        created = await client.post("/jobs", json=body, headers=headers)
        assert created.status_code == 201, created.text
        job_id = UUID(created.json()["id"])
        assert created.json()["validation_dataset_version_id"] == str(validation_id)
        async with app.state.tuneline.sessions() as session:
            job = await repository.get_job(session, job_id)
        assert job is not None and job.validation_dataset_version_id == validation_id
        assert job.validation_uris == [uris["train"], uris["validation"], uris["test"]]
        assert job.split_uris["validation"].endswith("/validation.jsonl")  # the training version's, kept as is
        logs = (await client.get(f"/jobs/{job_id}/logs", headers=headers)).text
        assert f"validates on dataset version {validation_id}" in logs

        plain = (await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=headers)).json()
        assert plain["validation_dataset_version_id"] is None
        async with app.state.tuneline.sessions() as session:
            plain_job = await repository.get_job(session, UUID(plain["id"]))
        assert plain_job is not None and plain_job.validation_uris == []
        for queued in (str(job_id), plain["id"]):  # the claim test expects no other queued jobs in this schema
            await client.post(f"/jobs/{queued}/cancel", headers=headers)


async def test_a_validation_version_unknown_or_of_another_use_case_or_format_is_refused_naming_the_field(
    settings,
    seed_dataset,
    events,  # type: ignore[no-untyped-def]
) -> None:
    app = create_app(settings)
    async with running_app(app) as client:
        usecase_id, version_id = await seed_dataset(app)
        _, foreign_id = await seed_dataset(app)  # a ready version of another use case
        chat_id = await ready_version(
            app, events, usecase_id, {"train": "file:///chat/train.jsonl"}, record_format="conversational"
        )
        headers = bearer(settings, "ml_engineer")

        async def create(validation_id: UUID):  # type: ignore[no-untyped-def]
            body = {"dataset_version_id": str(version_id), "validation_dataset_version_id": str(validation_id)}
            return await client.post("/jobs", json=body, headers=headers)

        unknown = await create(uuid4())
        assert unknown.status_code == 404, unknown.text
        assert unknown.json()["field"] == "validation_dataset_version_id"
        foreign = await create(foreign_id)
        assert foreign.status_code == 422 and foreign.json()["field"] == "validation_dataset_version_id"
        assert "use case" in foreign.json()["detail"]
        other_format = await create(chat_id)
        assert other_format.status_code == 422 and other_format.json()["field"] == "validation_dataset_version_id"
        assert "conversational" in other_format.json()["detail"]


async def test_job_log_messages_and_failure_events_name_no_server_path(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    """The job's log and answer are read through the API and job.failed travels to other services: the adapter is
    named by its key in the object store, and a failure reason quoting a file on the worker's disk loses the path."""
    import json

    from tuneline.common.storage import open_store
    from tuneline.training.jobs import service

    app = create_app(settings)
    store_root = settings.object_store_url.removeprefix("file://")
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        ids = []
        for _ in range(2):
            r = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=headers)
            assert r.status_code == 201, r.text
            ids.append(UUID(r.json()["id"]))
        done, failed = ids
        adapter_uri = open_store(settings).uri(f"jobs/{done}/adapter")
        assert adapter_uri.startswith("file:///") and store_root in adapter_uri
        worker_file = f"{settings.job_workdir}/{failed}-1a2b3c4d/run/adapter_model.safetensors"
        async with transaction(app.state.tuneline.sessions) as session:
            for job_id in ids:
                job = await repository.get_job(session, job_id)
                assert job is not None
                job.status = "running"
                if job_id == done:
                    await service.complete_job(
                        session, settings, job, adapter_uri, TrainingMetadata(status="completed")
                    )
                else:
                    reason = f"FileNotFoundError: [Errno 2] No such file or directory: '{worker_file}'"
                    await service.fail_job(session, settings, job, reason)

        done_logs = (await client.get(f"/jobs/{done}/logs", headers=headers)).text
        assert f"adapter stored as jobs/{done}/adapter" in done_logs
        failed_logs = (await client.get(f"/jobs/{failed}/logs", headers=headers)).text
        assert "No such file or directory" in failed_logs
        answer = (await client.get(f"/jobs/{failed}", headers=headers)).json()
        [record] = await outbox(app, "job.failed", failed)
        event_reason = json.loads(record.payload)["reason"]
        for text in (done_logs, failed_logs, answer["failure_reason"], event_reason):
            assert "file://" not in text and store_root not in text and str(settings.job_workdir) not in text
        # The job's answer names its adapter by the key too (the full URI stays between the services).
        completed = (await client.get(f"/jobs/{done}", headers=headers)).text
        assert f'"adapter_uri":"store:jobs/{done}/adapter"' in completed and store_root not in completed
        [record] = await outbox(app, "job.completed", done)
        assert json.loads(record.payload)["adapter_uri"] == adapter_uri


async def test_a_retired_use_case_cancels_its_queued_jobs_stops_running_ones_and_takes_no_new_ones(
    settings, seed_dataset
) -> None:  # type: ignore[no-untyped-def]
    """usecase.retired: its queued job is cancelled at once, its running job is asked to stop (its worker cancels
    it at the next step), and neither a person nor a retraining request queues another job for it."""
    from tuneline.common.events import RETRAIN_REQUESTED, USECASE_RETIRED, RetrainRequested, UseCaseRetired

    app = create_app(settings)
    async with running_app(app) as client:
        usecase_id, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        ids = []
        for _ in range(2):
            r = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=headers)
            assert r.status_code == 201, r.text
            ids.append(UUID(r.json()["id"]))
        queued, running = ids
        state = app.state.tuneline
        async with transaction(state.sessions) as session:  # a worker has taken the second one
            job = await repository.get_job(session, running)
            assert job is not None
            job.status = "running"

        retired = UseCaseRetired(producer="intake", usecase_id=usecase_id, reason="replaced by RAG", retired_by="ada")
        await publish_now(state.broker, USECASE_RETIRED, retired)

        async def cancelled() -> bool:
            r = await client.get(f"/jobs/{queued}", headers=headers)
            return r.json()["status"] == "cancelled"

        await eventually(cancelled, timeout_s=30, what="the queued job cancelled by the retirement")
        async with transaction(state.sessions) as session:
            job = await repository.get_job(session, running)
            assert job is not None and job.status == "running" and job.requested_action == "cancel"
        (event,) = await outbox(app, "job.cancelled", queued)
        assert "use case retired: replaced by RAG" in event.payload

        r = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=headers)
        assert r.status_code == 409 and "retired" in r.json()["detail"], r.text
        await publish_now(
            state.broker,
            RETRAIN_REQUESTED,
            RetrainRequested(producer="monitoring", usecase_id=usecase_id, reason="drift"),
        )
        await asyncio.sleep(1.5)
        listed = (await client.get("/jobs", params={"usecase_id": str(usecase_id)}, headers=headers)).json()
        items = listed["items"] if isinstance(listed, dict) else listed
        assert sorted(j["id"] for j in items) == sorted(str(i) for i in ids), "no job queued after the retirement"


def _sse_events(text: str) -> list[dict[str, str]]:
    """The events of a finished text/event-stream answer, as {field: value} (comments dropped)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if fields:
            events.append(fields)
    return events


async def test_stream_ids_each_event_and_a_reconnect_with_last_event_id_gets_only_the_later_points(  # type: ignore[no-untyped-def]
    settings, seed_dataset
) -> None:
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        created = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=headers)
        job_id = UUID(created.json()["id"])
        async with transaction(app.state.tuneline.sessions) as session:
            for step, loss in ((1, 2.5), (2, 2.0), (3, 1.5)):
                await repository.add_metric(
                    session, TrainingJobMetric(job_id=job_id, step=step, epoch=step / 3, event="step", train_loss=loss)
                )
        await client.post(f"/jobs/{job_id}/cancel", headers=headers)  # a final status: the stream ends

        full = _sse_events((await client.get(f"/jobs/{job_id}/stream", headers=headers)).text)
        progress = [e for e in full if e["event"] == "progress"]
        assert [json.loads(e["data"])["step"] for e in progress] == [1, 2, 3]
        ids = [int(e["id"]) for e in full]
        assert ids == sorted(ids) and ids[-1] == int(progress[-1]["id"])  # phase and status carry the cursor too

        resumed = _sse_events(
            (await client.get(f"/jobs/{job_id}/stream", headers={**headers, "Last-Event-ID": progress[0]["id"]})).text
        )
        assert [json.loads(e["data"])["step"] for e in resumed if e["event"] == "progress"] == [2, 3]
        assert [e["event"] for e in resumed][-2:] == ["phase", "status"]
        assert json.loads(resumed[-1]["data"])["status"] == "cancelled"

        bad = await client.get(f"/jobs/{job_id}/stream", headers={**headers, "Last-Event-ID": "yesterday"})
        assert bad.status_code == 422 and "Last-Event-ID" in bad.text


async def test_an_encoder_base_model_is_refused_for_a_use_case_that_is_not_classification_records(  # type: ignore[no-untyped-def]
    settings, seed_dataset, tiny_encoder_dir
) -> None:
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)  # instruction records (prompt, completion)
        headers = bearer(settings, "ml_engineer")
        body = {"dataset_version_id": str(version_id), "base_model": str(tiny_encoder_dir)}
        response = await client.post("/jobs", json=body, headers=headers)
        assert response.status_code == 422 and response.json()["field"] == "base_model"
        assert "is an encoder" in response.json()["detail"] and "instruction records" in response.json()["detail"]

        full = await client.post(
            "/jobs", json={"dataset_version_id": str(version_id), "method": "full"}, headers=headers
        )
        assert full.status_code == 422 and full.json()["field"] == "method"
        assert "evaluation and serving take LoRA adapters" in full.json()["detail"]
