"""dataset.erased in training, on real PostgreSQL, Kafka and the object store: jobs on the erased versions are
stopped and marked, their adapters and checkpoints deleted, the remembered versions forgotten, acknowledged once."""

import asyncio
import json
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord, transaction
from tuneline.common.events import DATASET_ERASED, DATASET_READY, DatasetErased
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import bearer, eventually, running_app
from tuneline.training.app import create_app
from tuneline.training.jobs import repository
from tuneline.training.jobs.tables import TrainingDatasetVersion
from tuneline.training.settings import TrainingSettings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(make_settings) -> TrainingSettings:  # type: ignore[no-untyped-def]
    return make_settings(TrainingSettings, service_name="training")


async def _acks(app, erasure_id: UUID) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    async with app.state.tuneline.sessions() as session:
        stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == "erasure.applied")
        rows = (await session.execute(stmt)).scalars().all()
    payloads = [json.loads(r.payload) for r in rows]
    return [p for p in payloads if p["erasure_id"] == str(erasure_id)]


async def test_dataset_erased_stops_and_marks_jobs_deletes_their_objects_and_acknowledges_once(
    settings, seed_dataset, events
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    async with running_app(app) as client:
        state = app.state.tuneline
        usecase_id, version_id = await seed_dataset(app)
        headers = bearer(settings, "ml_engineer")
        ids = []
        for _ in range(3):
            r = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=headers)
            assert r.status_code == 201, r.text
            ids.append(UUID(r.json()["id"]))
        queued, running, done = ids
        async with transaction(state.sessions) as session:
            job = await repository.get_job(session, running)
            assert job is not None
            job.status = "running"
            job = await repository.get_job(session, done)
            assert job is not None
            job.status, job.adapter_uri = "succeeded", state.store.uri(f"jobs/{done}/adapter/adapter_model.bin")
            dataset_id = (await session.get(TrainingDatasetVersion, version_id)).dataset_id  # type: ignore[union-attr]
        for job_id in (running, done):
            await state.store.put(f"jobs/{job_id}/checkpoints/0000010/state.bin", b"weights")
        await state.store.put(f"jobs/{done}/adapter/adapter_model.bin", b"weights")

        erased = DatasetErased(
            producer="data",
            usecase_id=usecase_id,
            erasure_id=uuid4(),
            dataset_id=dataset_id,
            version_ids=[version_id],
            whole_dataset=True,
            requested_by="alice",
            reason="GDPR request",
        )
        await publish_now(state.broker, DATASET_ERASED, erased)
        (ack,) = await eventually(lambda: _acks(app, erased.erasure_id), timeout_s=30, what="erasure.applied")
        assert ack["service"] == "training" and ack["counts"]["jobs"] == 3
        assert ack["counts"]["cancelled"] == 1 and ack["counts"]["stopping"] == 1 and ack["counts"]["objects"] == 3

        assert [i.key for i in await state.store.list("jobs/")] == []
        async with state.sessions() as session:
            assert await session.get(TrainingDatasetVersion, version_id) is None
            jobs = {j: await repository.get_job(session, j) for j in ids}
        assert all(j is not None and j.erased_at is not None and not j.split_uris for j in jobs.values())
        assert jobs[queued].status == "cancelled"  # type: ignore[union-attr]
        assert jobs[running].requested_action == "cancel"  # type: ignore[union-attr]
        assert jobs[done].status == "succeeded" and jobs[done].adapter_uri is None  # type: ignore[union-attr]

        # redelivered, as a new event of the same erasure, and a late dataset.ready of the erased version
        await publish_now(state.broker, DATASET_ERASED, erased)
        await publish_now(state.broker, DATASET_ERASED, erased.model_copy(update={"event_id": uuid4()}))
        late = events.dataset_ready(usecase_id, dataset_id, version_id, {"train": "file:///gone.jsonl"}, {"train": 40})
        await publish_now(state.broker, DATASET_READY, late)
        await asyncio.sleep(2)
        assert len(await _acks(app, erased.erasure_id)) == 1
        async with state.sessions() as session:
            assert await session.get(TrainingDatasetVersion, version_id) is None
        r = await client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=headers)
        assert r.status_code == 404, r.text


async def test_an_erased_use_case_loses_its_title_and_takes_no_new_jobs(settings, seed_dataset) -> None:  # type: ignore[no-untyped-def]
    """usecase.erased: the title training kept from the approval is gone, and the use case takes no new job."""
    from tuneline.common.events import USECASE_ERASED, UseCaseErased

    app = create_app(settings)
    async with running_app(app) as client:
        state = app.state.tuneline
        usecase_id, version_id = await seed_dataset(app)
        event = UseCaseErased(producer="intake", usecase_id=usecase_id, reason="GDPR request", erased_by="ada")
        await publish_now(state.broker, USECASE_ERASED, event)

        async def scrubbed() -> bool:
            async with state.sessions() as session:
                usecase = await repository.get_usecase(session, usecase_id)
            return usecase is not None and usecase.title == "(erased)" and usecase.retired_at is not None

        await eventually(scrubbed, timeout_s=20, what="training forgetting the use case's title")
        r = await client.post(
            "/jobs", json={"dataset_version_id": str(version_id)}, headers=bearer(settings, "ml_engineer")
        )
        assert r.status_code in (409, 422), r.text
