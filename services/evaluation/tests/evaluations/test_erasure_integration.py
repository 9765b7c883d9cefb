"""dataset.erased in evaluation, on real PostgreSQL, Kafka and the object store: the evaluations of jobs trained on
erased versions keep their figures, marked erased, and lose every piece of record content; acknowledged once."""

import asyncio
import json
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord, transaction
from tuneline.common.events import DATASET_ERASED, JOB_COMPLETED, DatasetErased, JobCompleted
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import TEST_TEAM, eventually, running_app
from tuneline.evaluation.app import create_app
from tuneline.evaluation.evaluations import repository
from tuneline.evaluation.evaluations.tables import EvaluationRating, EvaluationReviewItem, EvaluationRun
from tuneline.evaluation.settings import EvaluationSettings

pytestmark = pytest.mark.integration

PLANTED = "Erika Mustermann reported oil at pump 4"


async def _acks(state, erasure_id: UUID) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    async with state.sessions() as session:
        stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == "erasure.applied")
        payloads = [json.loads(r.payload) for r in (await session.execute(stmt)).scalars().all()]
    return [p for p in payloads if p["erasure_id"] == str(erasure_id)]


def _run(version_id: UUID, status: str) -> EvaluationRun:
    return EvaluationRun(
        usecase_id=uuid4(),
        team=TEST_TEAM,
        job_id=uuid4(),
        dataset_version_id=version_id,
        task_type="classification",
        base_model="tiny",
        adapter_uri="file:///adapter",
        test_split_uri=f"file:///datasets/{uuid4()}/versions/1/test.jsonl",
        status=status,
        metrics_tuned={"accuracy": 0.75} if status == "completed" else {},
    )


async def test_dataset_erased_removes_outputs_reviews_and_reports_and_keeps_the_marked_figures(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(EvaluationSettings, service_name="evaluation")
    app = create_app(settings)
    async with running_app(app):
        state = app.state.tuneline
        version_id, other_version = uuid4(), uuid4()
        done, queued, untouched = (
            _run(version_id, "completed"),
            _run(version_id, "queued"),
            _run(other_version, "completed"),
        )
        async with transaction(state.sessions) as session:
            session.add_all([done, queued, untouched])
            await session.flush()
            for run in (done, untouched):
                session.add(
                    EvaluationReviewItem(
                        evaluation_id=run.id,
                        item_id="i1",
                        record_id="r1",
                        prompt=PLANTED,
                        reference="leak",
                        output_a="leak",
                        output_b=PLANTED,
                        tuned_side="a",
                    )
                )
                session.add(
                    EvaluationRating(
                        evaluation_id=run.id,
                        item_id="i1",
                        reviewer="rita",
                        side="a",
                        relevance=4,
                        correctness=4,
                        style_match=4,
                        helpfulness=4,
                        safe=True,
                        comment=f"quotes {PLANTED}",
                    )
                )
        for run in (done, untouched):
            await state.store.put(f"evaluations/{run.id}/report.json", json.dumps({"worst": PLANTED}).encode())
            await state.store.put(f"evaluations/{run.id}/checkpoints/tuned.json", PLANTED.encode())

        erased = DatasetErased(
            producer="data",
            usecase_id=done.usecase_id,
            erasure_id=uuid4(),
            dataset_id=uuid4(),
            version_ids=[version_id],
            whole_dataset=False,
            requested_by="alice",
            reason="GDPR request",
        )
        await publish_now(state.broker, DATASET_ERASED, erased)
        (ack,) = await eventually(lambda: _acks(state, erased.erasure_id), timeout_s=30, what="erasure.applied")
        assert ack["service"] == "evaluation"
        assert ack["counts"] == {
            "evaluations": 2,
            "review_items": 1,
            "ratings": 1,
            "objects": 2,
            "stopped": 1,
            "dead_letters": 0,
        }

        async with state.sessions() as session:
            got = {r.id: await repository.get_run(session, r.id) for r in (done, queued, untouched)}
            assert await repository.review_items(session, done.id) == []
            assert len(await repository.review_items(session, untouched.id)) == 1
        assert got[done.id].status == "completed" and got[done.id].metrics_tuned == {"accuracy": 0.75}  # type: ignore[union-attr]
        assert got[done.id].erased_at is not None and got[done.id].test_split_uri is None  # type: ignore[union-attr]
        assert got[queued.id].status == "erased"  # type: ignore[union-attr]
        assert got[untouched.id].erased_at is None  # type: ignore[union-attr]
        assert [i.key for i in await state.store.list(f"evaluations/{done.id}/")] == []
        assert len(await state.store.list(f"evaluations/{untouched.id}/")) == 2

        # a redelivery, and a job.completed of a job on the erased version arriving late
        await publish_now(state.broker, DATASET_ERASED, erased.model_copy(update={"event_id": uuid4()}))
        late = JobCompleted(
            producer="training",
            usecase_id=done.usecase_id,
            job_id=uuid4(),
            dataset_id=erased.dataset_id,
            dataset_version_id=version_id,
            task_type="classification",
            base_model="tiny",
            method="lora",
            adapter_uri="file:///adapter",
            test_split_uri="file:///gone.jsonl",
        )
        await publish_now(state.broker, JOB_COMPLETED, late)
        await asyncio.sleep(2)
        assert len(await _acks(state, erased.erasure_id)) == 1
        async with state.sessions() as session:
            assert await repository.get_run_for_job(session, late.job_id) is None
