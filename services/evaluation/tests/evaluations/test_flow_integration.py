"""job.completed → one queued evaluation → a runner evaluates base vs tuned → evaluation.completed, reports and
review over REST, against real PostgreSQL, the Kafka broker and object storage (tiny model, zero LoRA)."""

import asyncio
import io
import json
from datetime import timedelta
from uuid import uuid4

import openpyxl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tuneline.common.access import Scope
from tuneline.common.db import AuditRecord, OutboxRecord, transaction
from tuneline.common.events import (
    JOB_COMPLETED,
    JOB_PROGRESS,
    STUDY_COMPLETED,
    USECASE_APPROVED,
    DataSensitivity,
    JobCompleted,
    JobProgress,
    StudyCompleted,
    UseCaseApproved,
    utcnow,
)
from tuneline.common.messaging import publish_now
from tuneline.common.storage import upload_dir
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app
from tuneline.evaluation.app import create_app
from tuneline.evaluation.evaluations import repository, service
from tuneline.evaluation.evaluations.tables import EvaluationRun
from tuneline.evaluation.runner.loop import EvaluationRunner
from tuneline.evaluation.settings import EvaluationSettings

pytestmark = pytest.mark.integration

ALL_TEAMS = Scope(all_teams=True, team=None, subject="test")

TEST_ROWS = [
    {"text": "oil dripping from the pump seal", "label": "leak"},
    {"text": "breaker tripped on panel 3", "label": "electrical"},
    {"text": "bearing noise on the conveyor motor", "label": "mechanical"},
    {"text": "water pooling under valve 7", "label": "leak"},
]


def _settings(make_settings):
    return make_settings(
        EvaluationSettings,
        eval_max_new_tokens=4,
        eval_batch_size=4,
        gate_suite_limit=3,
        gate_general_text_limit=3,
        review_sample_size=3,
        runner_torch_threads=1,
    )


async def _stage_job(store, tiny_model_dir, adapter_dir, *, with_split=True):
    job_id, usecase_id = uuid4(), uuid4()
    await upload_dir(store, adapter_dir, f"jobs/{job_id}/adapter")
    split = await store.put(
        f"datasets/{job_id}/test.jsonl", "\n".join(json.dumps(r) for r in TEST_ROWS).encode(), content_type="text/plain"
    )
    return JobCompleted(
        producer="training",
        usecase_id=usecase_id,
        job_id=job_id,
        dataset_id=uuid4(),
        dataset_version_id=uuid4(),
        task_type="classification",
        base_model=str(tiny_model_dir),
        method="lora",
        adapter_uri=store.uri(f"jobs/{job_id}/adapter"),
        test_split_uri=split.uri if with_split else None,
        labels=["electrical", "leak", "mechanical"],
        hyperparameters={"learning_rate": 5e-4},
        team=TEST_TEAM,
    )


async def _runs_for(state, usecase_id):
    async with state.sessions() as session:
        return await repository.list_runs(
            session, scope=ALL_TEAMS, usecase_id=usecase_id, status=None, limit=10, offset=0
        )


async def _sent_completions(state, usecase_id):
    async with state.sessions() as session:
        stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == "evaluation.completed")
        rows = (await session.execute(stmt)).scalars().all()
    return [r for r in rows if r.sent_at is not None and json.loads(r.payload)["usecase_id"] == str(usecase_id)]


async def test_job_completed_is_evaluated_once_published_and_reviewable(
    make_settings, tiny_model_dir, zero_adapter_dir
):
    settings = _settings(make_settings)
    app = create_app(settings)
    async with running_app(app) as client:
        state = app.state.tuneline
        event = await _stage_job(state.store, tiny_model_dir, zero_adapter_dir)
        approved = UseCaseApproved(
            producer="intake",
            usecase_id=event.usecase_id,
            title="t",
            industry="manufacturing",
            task_type="classification",
            base_model="smollm2-135m-instruct",
            method="lora",
            kpi_targets={"accuracy": 0.0},
            labels=event.labels,
            approved_by="lead",
            team=TEST_TEAM,
        )
        await publish_now(state.broker, USECASE_APPROVED, approved)
        for step, loss in ((1, 2.5), (2, 1.9)):
            progress = JobProgress(
                producer="training", usecase_id=event.usecase_id, job_id=event.job_id, step=step, total_steps=2,
                epoch=step / 2, train_loss=loss,
            )  # fmt: skip
            await publish_now(state.broker, JOB_PROGRESS, progress)
        # At-least-once: the same event twice, and a second job.completed for the same job.
        await publish_now(state.broker, JOB_COMPLETED, event)
        await publish_now(state.broker, JOB_COMPLETED, event)
        await publish_now(state.broker, JOB_COMPLETED, event.model_copy(update={"event_id": uuid4()}))
        runs = await eventually(lambda: _runs_for(state, event.usecase_id), what="evaluation queued")

        async def usecase_and_losses_recorded():
            async with state.sessions() as session:
                return (
                    await repository.get_usecase(session, event.usecase_id)
                    and len(await repository.loss_points(session, event.job_id)) == 2
                )

        await eventually(usecase_and_losses_recorded, what="use case and loss points recorded")
        runner = EvaluationRunner(settings, state.sessions, state.store, name="runner-a")
        assert await runner.tick()
        assert not await runner.tick()
        assert len(await _runs_for(state, event.usecase_id)) == 1

        viewer, reviewer = bearer(settings, "viewer"), bearer(settings, "reviewer", subject="rita")
        got = (await client.get(f"/evaluations/{runs[0].id}", headers=viewer)).json()
        assert got["status"] == "completed", got
        assert got["passed"] is True
        assert got["forgetting"]["perplexity_ratio"] == pytest.approx(1.0, abs=1e-4)
        assert got["metrics_base"]["accuracy"] == pytest.approx(got["metrics_tuned"]["accuracy"])
        assert any(r.startswith("KPI accuracy") for r in got["reasons"])
        listed = (await client.get("/evaluations", params={"usecase_id": str(event.usecase_id)}, headers=viewer)).json()
        assert [e["id"] for e in listed] == [got["id"]]

        sent = await eventually(lambda: _sent_completions(state, event.usecase_id), what="evaluation.completed sent")
        payload = json.loads(sent[0].payload)
        assert len(sent) == 1
        assert payload["passed"] is True and payload["job_id"] == str(event.job_id)
        assert payload["team"] == TEST_TEAM  # the registry's model inherits it
        assert payload["report_uri"].endswith("report.json")

        report = await client.get(f"/evaluations/{got['id']}/report", headers=viewer)
        assert report.status_code == 200 and report.json()["loss_history"][1]["loss"] == 1.9
        html = await client.get(f"/evaluations/{got['id']}/report", params={"format": "html"}, headers=viewer)
        assert html.headers["content-type"].startswith("text/html")
        assert '<section id="gate">' in html.text and '<section id="loss">' in html.text
        await _check_pdf_and_xlsx_reports(client, got, viewer)

        assert (await client.get(f"/evaluations/{got['id']}/review/items", headers=viewer)).status_code == 403
        items = (await client.get(f"/evaluations/{got['id']}/review/items", headers=reviewer)).json()
        assert len(items) == 3 and "tuned_side" not in items[0]
        rating = {"item_id": items[0]["item_id"], "side": "A", "relevance": 4, "correctness": 3, "style_match": 4,
                  "helpfulness": 4, "safe": True, "comment": "fine"}  # fmt: skip
        url = f"/evaluations/{got['id']}/review/ratings"
        assert (await client.post(url, json=rating, headers=viewer)).status_code == 403
        created = await client.post(url, json=rating, headers=reviewer)
        assert created.status_code == 201 and created.json()["reviewer"] == "rita"
        bad = await client.post(url, json={**rating, "relevance": 6}, headers=reviewer)
        assert bad.status_code == 422 and "relevance" in bad.json()["detail"]
        unknown = await client.post(url, json={**rating, "item_id": "item-9999"}, headers=reviewer)
        assert unknown.status_code == 422 and unknown.json()["field"] == "item_id"
        # Every format carries the review as it stands at download time.
        rated = await client.get(f"/evaluations/{got['id']}/report", params={"format": "xlsx"}, headers=viewer)
        assert "1 items rated by 1 reviewers" in " ".join(str(r[0]) for r in _sheet_rows(rated.content, "Summary"))
        summary = (await client.get(f"/evaluations/{got['id']}/review", headers=viewer)).json()
        assert summary["complete"] is False
        assert summary["aggregates"]["reviewers"] == 1
        assert (await client.get(f"/evaluations/{got['id']}")).status_code == 401

        # The attack: another team's viewer reads none of it (the data service refuses them the records too).
        outsider = bearer(settings, "viewer", subject="otto", team="other-team")
        for path in ("", "/report", "/review"):
            refused = await client.get(f"/evaluations/{got['id']}{path}", headers=outsider)
            assert refused.status_code == 403, path
            assert "belongs to team 'test-team'" in refused.json()["detail"]
        other_reviewer = bearer(settings, "reviewer", subject="oria", team="other-team")
        assert (await client.get(f"/evaluations/{got['id']}/review/items", headers=other_reviewer)).status_code == 403
        assert (await client.post(url, json=rating, headers=other_reviewer)).status_code == 403
        listed = await client.get("/evaluations", params={"usecase_id": str(event.usecase_id)}, headers=outsider)
        assert listed.status_code == 200 and listed.json() == []
        roleless = await client.get(f"/evaluations/{got['id']}", headers=bearer(settings, subject="nora"))
        assert roleless.status_code == 403
        async with state.sessions() as session:
            denials = (
                (
                    await session.execute(
                        sa.select(AuditRecord).where(
                            AuditRecord.action == "access.denied", AuditRecord.resource_id == got["id"]
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert {d.actor for d in denials} >= {"otto", "oria"}
        assert all(d.details["team"] == TEST_TEAM for d in denials)


async def test_records_of_a_regulated_use_case_are_for_its_teams_data_owners_and_reviewers(
    make_settings, tiny_model_dir, zero_adapter_dir
):
    """The data service's content rule, applied to the report: a same-team viewer sees the decision, not the records."""
    settings = _settings(make_settings)
    app = create_app(settings)
    async with running_app(app) as client:
        state = app.state.tuneline
        # no test split: the run fails at once, leaving no queued run for the other tests' runners
        event = await _stage_job(state.store, tiny_model_dir, zero_adapter_dir, with_split=False)
        approved = UseCaseApproved(
            producer="intake", usecase_id=event.usecase_id, title="t", industry="health", task_type="classification",
            base_model="smollm2-135m-instruct", method="lora", labels=event.labels, approved_by="lead",
            team=TEST_TEAM, sensitivity=DataSensitivity(regulatory=True),
        )  # fmt: skip
        async with transaction(state.sessions) as session:
            await service.record_usecase(session, approved)
            evaluation_id = await service.schedule_for_job(session, settings, event)
        viewer = bearer(settings, "viewer", subject="vic")
        assert (await client.get(f"/evaluations/{evaluation_id}", headers=viewer)).status_code == 200
        refused = await client.get(f"/evaluations/{evaluation_id}/report", headers=viewer)
        assert refused.status_code == 403 and "regulated or proprietary" in refused.json()["detail"]
        owner = bearer(settings, "data_owner", subject="dora")
        # allowed through: the run has no report, which is the 404 that follows the access check
        assert (await client.get(f"/evaluations/{evaluation_id}/report", headers=owner)).status_code == 404


def _sheet_rows(body: bytes, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return [row for row in book[sheet].iter_rows(values_only=True) if any(v is not None for v in row)]


async def _check_pdf_and_xlsx_reports(client, got, viewer):
    """The PDF and Excel downloads: content type, file name, and the evaluation's metrics and verdict inside."""
    url = f"/evaluations/{got['id']}/report"
    pdf = await client.get(url, params={"format": "pdf"}, headers=viewer)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="evaluation-{got["id"]}.pdf"'
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert f"Evaluation report {got['id']}" in text and "Forgetting gate: PASSED" in text
    assert "Training loss" in text and "No human review has been recorded yet." in text

    xlsx = await client.get(url, params={"format": "xlsx"}, headers=viewer)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.headers["content-disposition"] == f'attachment; filename="evaluation-{got["id"]}.xlsx"'
    summary = _sheet_rows(xlsx.content, "Summary")
    accuracy = next(row for row in summary if row[0] == "accuracy")
    assert accuracy[1:3] == (
        pytest.approx(got["metrics_base"]["accuracy"]),
        pytest.approx(got["metrics_tuned"]["accuracy"]),
    )
    assert next(row for row in summary if row[0] == "Forgetting gate")[1] == "PASSED"
    worst = [row for row in _sheet_rows(xlsx.content, "Samples") if row[0] == "Worst samples (tuned)"]
    assert len(worst) == len(TEST_ROWS)  # four records, fewer than the ten worst shown
    assert all(any(r["text"] in row[2] for r in TEST_ROWS) for row in worst)  # prompts hold the records' text
    assert _sheet_rows(xlsx.content, "Loss")[1:] == [(1, 2.5, None), (2, 1.9, None)]

    # The access rule is the report's own: any signed-in subject, nobody without a token.
    assert (await client.get(url, params={"format": "pdf"})).status_code == 401
    assert (await client.get(url, params={"format": "xlsx"})).status_code == 401
    refused = await client.get(url, params={"format": "docx"}, headers=viewer)
    assert refused.status_code == 422 and "format" in refused.text


async def test_lost_runner_evaluation_is_requeued_and_finished_by_another(
    make_settings, tiny_model_dir, zero_adapter_dir
):
    settings = _settings(make_settings)
    app = create_app(settings)
    async with running_app(app):
        state = app.state.tuneline
        event = await _stage_job(state.store, tiny_model_dir, zero_adapter_dir)
        async with transaction(state.sessions) as session:
            evaluation_id = await service.schedule_for_job(session, settings, event)
        lost = EvaluationRunner(settings, state.sessions, state.store, name="runner-lost")
        assert await lost.claim() == evaluation_id
        async with transaction(state.sessions) as session:
            await session.execute(
                sa.update(EvaluationRun)
                .where(EvaluationRun.id == evaluation_id)
                .values(heartbeat_at=utcnow() - timedelta(seconds=settings.runner_stale_after_s + 5))
            )
        rescuer = EvaluationRunner(settings, state.sessions, state.store, name="runner-b")
        assert await rescuer.tick()
        # The lost runner coming back late changes nothing.
        await lost._conclude(evaluation_id, None, "late failure")
        async with state.sessions() as session:
            run = await repository.get_run(session, evaluation_id)
        assert run is not None
        assert (run.status, run.worker, run.attempts, run.passed) == ("completed", "runner-b", 2, True)
        # Each finished pass was checkpointed, so a runner lost after one pass resumes with the next.
        for name in ("base", "tuned"):
            assert await state.store.exists(f"evaluations/{evaluation_id}/checkpoints/{name}.json")


async def test_job_without_test_split_fails_with_reason_and_is_published(
    make_settings, tiny_model_dir, zero_adapter_dir
):
    settings = _settings(make_settings)
    app = create_app(settings)
    async with running_app(app):
        state = app.state.tuneline
        event = await _stage_job(state.store, tiny_model_dir, zero_adapter_dir, with_split=False)
        async with transaction(state.sessions) as session:
            evaluation_id = await service.schedule_for_job(session, settings, event)
        async with state.sessions() as session:
            run = await repository.get_run(session, evaluation_id)
        assert run is not None and run.status == "failed" and run.passed is False
        assert run.reasons == ["evaluation failed: the training job has no test split to evaluate on"]
        sent = await eventually(lambda: _sent_completions(state, event.usecase_id), what="failure published")
        assert json.loads(sent[0].payload)["passed"] is False


async def test_missing_adapter_fails_the_evaluation_naming_the_adapter(make_settings, tiny_model_dir, zero_adapter_dir):
    settings = _settings(make_settings)
    app = create_app(settings)
    async with running_app(app):
        state = app.state.tuneline
        event = await _stage_job(state.store, tiny_model_dir, zero_adapter_dir)
        event = event.model_copy(update={"adapter_uri": state.store.uri(f"jobs/{uuid4()}/adapter")})
        async with transaction(state.sessions) as session:
            evaluation_id = await service.schedule_for_job(session, settings, event)
        assert await EvaluationRunner(settings, state.sessions, state.store).tick()
        async with state.sessions() as session:
            run = await repository.get_run(session, evaluation_id)
        assert run is not None and run.status == "failed"
        assert "holds no adapter_config.json" in run.reasons[0]


async def test_only_the_best_trial_of_a_study_is_evaluated(make_settings, tiny_model_dir, zero_adapter_dir):
    """Trials' job.completed carry their study: none is queued; study.completed queues its best trial, once, and the
    runner evaluates it like any job."""
    settings = _settings(make_settings)
    app = create_app(settings)
    async with running_app(app):
        state = app.state.tuneline
        study_id = uuid4()
        staged = [await _stage_job(state.store, tiny_model_dir, zero_adapter_dir) for _ in range(2)]
        usecase_id = staged[0].usecase_id
        trials = [e.model_copy(update={"usecase_id": usecase_id, "study_id": study_id}) for e in staged]
        for trial in trials:
            await publish_now(state.broker, JOB_COMPLETED, trial)
        best = trials[1]
        done = StudyCompleted(
            producer="training",
            usecase_id=best.usecase_id,
            study_id=study_id,
            best_job_id=best.job_id,
            best_value=0.5,
            trials={"complete": 2},
            best_trial=best,
            team=TEST_TEAM,
        )
        await publish_now(state.broker, STUDY_COMPLETED, done)
        await publish_now(state.broker, STUDY_COMPLETED, done.model_copy(update={"event_id": uuid4()}))
        runs = await eventually(lambda: _runs_for(state, best.usecase_id), what="best trial queued")
        await asyncio.sleep(1.5)  # every event above has been consumed by now (they share one consumer, in order)
        runs = await _runs_for(state, best.usecase_id)
        assert [r.job_id for r in runs] == [best.job_id]
        assert await EvaluationRunner(settings, state.sessions, state.store).tick()
        sent = await eventually(lambda: _sent_completions(state, best.usecase_id), what="evaluation.completed sent")
        assert [json.loads(r.payload)["job_id"] for r in sent] == [str(best.job_id)]
