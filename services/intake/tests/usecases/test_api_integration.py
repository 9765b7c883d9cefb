"""The intake service end to end: REST, PostgreSQL, the outbox to Tansu and the consumers, in-process."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI

from tuneline.common.auth import mint_token
from tuneline.common.costing import default_profile, flops_per_token, fold_measurement
from tuneline.common.db import AuditRecord, OutboxRecord
from tuneline.common.events import (
    DATASET_ERASED,
    DEPLOYMENT_UPDATED,
    EVALUATION_COMPLETED,
    JOB_COMPLETED,
    JOB_QUEUED,
    JOB_STARTED,
    MODEL_REGISTERED,
    USECASE_APPROVED,
    USECASE_INTAKE_REQUESTED,
    DatasetErased,
    DeploymentUpdated,
    EvaluationCompleted,
    JobCompleted,
    JobQueued,
    JobStarted,
    ModelRegistered,
    UseCaseApproved,
    UseCaseErased,
    UseCaseIntakeRequested,
    UseCaseRetired,
    utcnow,
)
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app
from tuneline.intake.app import create_app
from tuneline.intake.settings import IntakeSettings
from tuneline.intake.usecases.validation import validate_submission

pytestmark = pytest.mark.integration


@dataclass
class Intake:
    app: FastAPI
    client: httpx.AsyncClient
    settings: IntakeSettings

    def as_(self, role: str, subject: str | None = None, *more: str) -> dict[str, str]:
        return bearer(self.settings, role, *more, subject=subject or f"{role}-1")

    async def outbox(self, topic: str, usecase_id: str) -> list[OutboxRecord]:
        async with self.app.state.tuneline.sessions() as s:
            stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == topic, OutboxRecord.key == usecase_id)
            return list((await s.execute(stmt)).scalars().all())

    async def audit(self, action: str, resource_id: str) -> list[AuditRecord]:
        async with self.app.state.tuneline.sessions() as s:
            stmt = sa.select(AuditRecord).where(AuditRecord.action == action, AuditRecord.resource_id == resource_id)
            return list((await s.execute(stmt)).scalars().all())


@pytest_asyncio.fixture(scope="module")
async def intake(database_url, kafka_bootstrap, tmp_path_factory):
    # One running service for the module: starting it (migrations, topics, consumer group) is the slow part.
    settings = IntakeSettings(
        environment="test",
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_session_timeout_ms=2000,
        kafka_fetch_max_wait_ms=10,
        object_store_url=tmp_path_factory.mktemp("objects").as_uri(),
        outbox_poll_interval_s=0.2,
    )
    app = create_app(settings)
    async with running_app(app) as client:
        yield Intake(app, client, settings)


def complete_form(form_data, **changes: Any) -> dict[str, Any]:
    return copy.deepcopy(form_data(**changes))


async def approved_usecase(intake: Intake, form: dict[str, Any], submitter: str = "alice") -> str:
    c = intake.client
    r = await c.post("/usecases", json=form, headers=intake.as_("data_owner", submitter))
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    assert (await c.post(f"/usecases/{uid}/submit", headers=intake.as_("data_owner", submitter))).status_code == 200
    assert (await c.post(f"/usecases/{uid}/start-review", headers=intake.as_("reviewer"))).status_code == 200
    r = await c.post(f"/usecases/{uid}/approve", headers=intake.as_("reviewer"))
    assert r.status_code == 200, r.text
    return uid


async def test_review_flow_publishes_one_approval_even_when_retried(intake, form_data):
    industry = f"Manufacturing-{uuid4().hex[:6]}"
    uid = await approved_usecase(intake, complete_form(form_data, industry=industry))
    again = await intake.client.post(f"/usecases/{uid}/approve", headers=intake.as_("reviewer"))
    assert again.status_code == 200 and again.json()["status"] == "approved"

    rows = await intake.outbox(USECASE_APPROVED.name, uid)
    assert len(rows) == 1
    assert len(await intake.outbox("usecase.submitted", uid)) == 1

    consumer = AIOKafkaConsumer(
        USECASE_APPROVED.name,
        bootstrap_servers=intake.settings.kafka_bootstrap_servers,
        group_id=f"test-{uuid4()}",
        auto_offset_reset="earliest",
        session_timeout_ms=2000,
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    try:
        seen: list[UseCaseApproved] = []
        deadline = asyncio.get_running_loop().time() + 20
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            seen += [
                e
                for records in batch.values()
                for e in (UseCaseApproved.model_validate_json(r.value) for r in records)
                if str(e.usecase_id) == uid
            ]
            if seen and not batch:
                break
    finally:
        await consumer.stop()
    assert len(seen) == 1
    event = seen[0]
    assert (event.task_type, event.method, event.industry) == ("classification", "lora", industry)
    assert event.labels == ["hydraulics", "electrical", "calibration"]
    assert event.approved_by == "reviewer-1"
    assert (event.team, event.submitted_by) == (TEST_TEAM, "alice")  # the creator's team, for every service

    body = (await intake.client.get(f"/usecases/{uid}", headers=intake.as_("viewer"))).json()
    assert body["assessment"]["decision"]["recommended"] == "fine_tuning"
    assert body["assessment"]["checklist"]["verdict"] == "ready"
    assert body["rice_score"] == pytest.approx(body["assessment"]["rice"]["score"])
    assert body["missing"] == [] and body["decided_by"] == "reviewer-1"

    history = (await intake.client.get(f"/usecases/{uid}/history", headers=intake.as_("viewer"))).json()
    assert [(h["action"], h["actor"]) for h in history] == [
        ("usecase.created", "alice"),
        ("usecase.submitted", "alice"),
        ("usecase.review_started", "reviewer-1"),
        ("usecase.approved", "reviewer-1"),
    ]


async def test_rejection_is_published_once_and_rejected_is_final(intake, form_data):
    c = intake.client
    r = await c.post("/usecases", json=complete_form(form_data), headers=intake.as_("data_owner", "alice"))
    uid = r.json()["id"]
    await c.post(f"/usecases/{uid}/submit", headers=intake.as_("data_owner", "alice"))
    await c.post(f"/usecases/{uid}/start-review", headers=intake.as_("reviewer"))
    for _ in range(2):
        r = await c.post(f"/usecases/{uid}/reject", json={"reason": "no budget"}, headers=intake.as_("reviewer"))
        assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert len(await intake.outbox("usecase.rejected", uid)) == 1

    r = await c.post(f"/usecases/{uid}/approve", headers=intake.as_("reviewer"))
    assert r.status_code == 409
    assert r.json()["error"] == "illegal_transition"
    assert (r.json()["current"], r.json()["requested"], r.json()["allowed"]) == ("rejected", "approve", [])


async def test_illegal_transition_answers_409_with_the_allowed_actions(intake):
    r = await intake.client.post("/usecases", json={"title": "Summarise shift logs"}, headers=intake.as_("sre"))
    uid = r.json()["id"]
    r = await intake.client.post(f"/usecases/{uid}/start-review", headers=intake.as_("reviewer"))
    assert r.status_code == 409
    assert r.json()["allowed"] == ["edit", "submit"]


async def test_changes_requested_then_edited_and_resubmitted(intake, form_data):
    c = intake.client
    uid = (await c.post("/usecases", json=complete_form(form_data), headers=intake.as_("data_owner", "bo"))).json()[
        "id"
    ]
    await c.post(f"/usecases/{uid}/submit", headers=intake.as_("data_owner", "bo"))
    r = await c.patch(f"/usecases/{uid}", json={"title": "Too late"}, headers=intake.as_("data_owner", "bo"))
    assert r.status_code == 409 and r.json()["allowed"] == ["start_review"]

    await c.post(f"/usecases/{uid}/start-review", headers=intake.as_("reviewer"))
    r = await c.post(f"/usecases/{uid}/request-changes", json={"reason": "add KPIs"}, headers=intake.as_("reviewer"))
    assert r.json()["status"] == "needs_changes" and r.json()["decision_reason"] == "add KPIs"

    r = await c.patch(f"/usecases/{uid}", json={"business_unit": "Maintenance"}, headers=intake.as_("data_owner", "bo"))
    assert r.status_code == 200 and r.json()["business_unit"] == "Maintenance"
    r = await c.post(f"/usecases/{uid}/submit", headers=intake.as_("data_owner", "bo"))
    assert r.json()["status"] == "submitted"
    assert len(await intake.outbox("usecase.submitted", uid)) == 2


async def test_who_may_do_what(intake, form_data):
    c = intake.client
    assert (await c.post("/usecases", json={"title": "No token"})).status_code == 401
    r = await c.post("/usecases", json={"title": "Viewer draft"}, headers=intake.as_("viewer"))
    assert r.status_code == 403 and "viewers can only read" in r.json()["detail"]

    uid = (await c.post("/usecases", json=complete_form(form_data), headers=intake.as_("reviewer", "rita"))).json()[
        "id"
    ]
    r = await c.patch(f"/usecases/{uid}", json={"title": "Hijacked"}, headers=intake.as_("reviewer", "other"))
    assert r.status_code == 403
    await c.post(f"/usecases/{uid}/submit", headers=intake.as_("reviewer", "rita"))
    await c.post(f"/usecases/{uid}/start-review", headers=intake.as_("reviewer", "other"))
    r = await c.post(f"/usecases/{uid}/approve", headers=intake.as_("reviewer", "rita"))
    assert r.status_code == 403 and "own use case" in r.json()["detail"]

    assert (
        await c.post(f"/usecases/{uid}/comments", json={"body": "hi"}, headers=intake.as_("viewer"))
    ).status_code == 403
    r = await c.post(f"/usecases/{uid}/comments", json={"body": "Looks good"}, headers=intake.as_("reviewer", "other"))
    assert r.status_code == 201
    comments = (await c.get(f"/usecases/{uid}/comments", headers=intake.as_("viewer"))).json()
    assert [(x["author"], x["body"]) for x in comments] == [("other", "Looks good")]


async def test_a_token_with_no_known_role_may_neither_create_nor_comment_and_is_audited(intake, form_data):
    """The attack: a token that carries no role Tuneline knows (another application's roles, or none) drafts a use
    case or comments on one. Both are refused (403) and the refusals are audited."""
    c = intake.client
    roleless = bearer(intake.settings, subject="nora")
    foreign_token = mint_token(intake.settings, "fred", [], team=TEST_TEAM, extra={"roles": ["billing_admin"]})
    foreign = {"Authorization": f"Bearer {foreign_token}"}
    r = await c.post("/usecases", json=complete_form(form_data), headers=roleless)
    assert r.status_code == 403 and "a known role is needed" in r.json()["detail"]
    r = await c.post("/usecases", json={"title": "Sneaky"}, headers=foreign)
    assert r.status_code == 403
    assert (await intake.audit("access.denied", "(new)")) != []

    uid = (await c.post("/usecases", json=complete_form(form_data), headers=intake.as_("data_owner", "alice"))).json()[
        "id"
    ]
    r = await c.post(f"/usecases/{uid}/comments", json={"body": "pwned"}, headers=roleless)
    assert r.status_code == 403 and "a known role is needed" in r.json()["detail"]
    (denied,) = await intake.audit("access.denied", uid)
    assert (denied.actor, denied.details["attempted"], denied.details["team"]) == ("nora", "comment", TEST_TEAM)
    assert (await c.get(f"/usecases/{uid}/comments", headers=intake.as_("viewer"))).json() == []


async def test_a_use_case_belongs_to_its_creators_team_and_needs_one(intake, form_data):
    c = intake.client
    r = await c.post("/usecases", json=complete_form(form_data), headers=intake.as_("data_owner", "alice"))
    assert r.status_code == 201 and r.json()["team"] == TEST_TEAM
    teamless = bearer(intake.settings, "data_owner", subject="tim", team=None)
    r = await c.post("/usecases", json=complete_form(form_data), headers=teamless)
    assert r.status_code == 403 and "carries no team" in r.json()["detail"]


async def test_another_teams_people_neither_see_nor_decide_a_use_case_and_are_audited(intake, form_data):
    """The attack: a reviewer of another team reads a team's use case, approves it, comments on it and finds it in
    the portfolio. Every call is refused (403, audited) and the listings hold only the caller's own team's cases."""
    c = intake.client
    industry = f"Legal-{uuid4().hex[:6]}"
    uid = (
        await c.post("/usecases", json=complete_form(form_data, industry=industry), headers=intake.as_("data_owner"))
    ).json()["id"]
    assert (await c.post(f"/usecases/{uid}/submit", headers=intake.as_("data_owner"))).status_code == 200

    outsider = bearer(intake.settings, "reviewer", "viewer", subject="oscar", team="finance")
    for method, path, body in (
        ("GET", f"/usecases/{uid}", None),
        ("GET", f"/usecases/{uid}/comments", None),
        ("GET", f"/usecases/{uid}/timeline", None),
        ("GET", f"/usecases/{uid}/history", None),
        ("POST", f"/usecases/{uid}/start-review", None),
        ("POST", f"/usecases/{uid}/approve", {"reason": "fine by me"}),
        ("POST", f"/usecases/{uid}/comments", {"body": "peeking"}),
    ):
        r = await c.request(method, path, json=body, headers=outsider)
        assert r.status_code == 403, (method, path, r.text)
        assert "belongs to team" in r.json()["detail"], r.text
    page = (await c.get("/usecases", params={"industry": industry}, headers=outsider)).json()
    assert page["total"] == 0 and page["items"] == []
    dashboard = (await c.get("/usecases/dashboard", params={"industry": industry}, headers=outsider)).json()
    assert dashboard["counts_by_status"] == {}
    assert len(await intake.audit("access.denied", uid)) == 7

    # the team's own viewer and another team's admin see it; the use case is still waiting for its own reviewers
    own = (await c.get("/usecases", params={"industry": industry}, headers=intake.as_("viewer"))).json()
    assert [i["id"] for i in own["items"]] == [uid]
    admin = bearer(intake.settings, "admin", subject="ada", team="finance")
    r = await c.get(f"/usecases/{uid}", headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "submitted"


async def test_bad_input_is_refused_naming_the_field(intake, form_data):
    c = intake.client
    r = await c.post("/usecases", json={"title": "Bad type", "model_type": "audio"}, headers=intake.as_("data_owner"))
    assert r.status_code == 422 and r.json()["field"] == "model_type"
    r = await c.post("/usecases", json={"industry": "Retail"}, headers=intake.as_("data_owner"))
    assert r.status_code == 422 and r.json()["field"] == "title"

    template = {
        "title": "Predictive Maintenance Alerts",
        "industry": "Manufacturing",
        "problem_statement": "Unexpected machinery downtime leads to productivity loss.",
        "data_sources": ["sensor logs", "maintenance reports"],
        "model": "LLaMA2-7B",
        "fine_tuning_type": "QLoRA",
        "evaluation_metrics": ["F1 Score", "Precision"],
        "expected_outcomes": "Reduce downtime by 25%",
    }
    r = await c.post("/usecases", json=template, headers=intake.as_("data_owner", "tina"))
    assert r.status_code == 201 and r.json()["form"]["fine_tuning_method"] == "qlora"
    uid = r.json()["id"]
    assert "owner" in {m["field"] for m in r.json()["missing"]}
    r = await c.post(f"/usecases/{uid}/submit", headers=intake.as_("data_owner", "tina"))
    assert r.status_code == 422
    assert {"business_unit", "data_sources[0].owner", "examples"} <= {e["field"] for e in r.json()["errors"]}
    r = await c.get(f"/usecases/{uid}", headers=intake.as_("viewer"))
    assert r.json()["status"] == "draft", "a refused submission leaves nothing half-written"

    bad = {"objectives": [{"statement": "x", "kpis": [{"name": "k", "target": "soon"}]}]}
    r = await c.patch(f"/usecases/{uid}", json=bad, headers=intake.as_("data_owner", "tina"))
    assert r.status_code == 422 and r.json()["field"] == "objectives[0].kpis[0].target"


async def test_portfolio_is_ranked_filtered_and_paginated(intake, form_data):
    c = intake.client
    industry = f"Logistics-{uuid4().hex[:6]}"
    ids = {}
    for volume, unit in ((100, "North"), (5000, "South"), (800, "North")):
        form = complete_form(
            form_data, industry=industry, business_unit=unit, request_volume={"requests_per_day": volume}
        )
        ids[volume] = (await c.post("/usecases", json=form, headers=intake.as_("data_owner"))).json()["id"]
    draft = await c.post(
        "/usecases", json={"title": "Unscored", "industry": industry}, headers=intake.as_("data_owner")
    )
    await c.post(f"/usecases/{ids[800]}/submit", headers=intake.as_("data_owner"))

    r = await c.get("/usecases", params={"industry": industry}, headers=intake.as_("viewer"))
    page = r.json()
    assert page["total"] == 4
    # Reach grows with the request volume, so RICE ranks 5,000/day first; the unscored draft comes last.
    assert [i["id"] for i in page["items"]] == [ids[5000], ids[800], ids[100], draft.json()["id"]]
    scores = [i["rice_score"] for i in page["items"][:3]]
    assert scores == sorted(scores, reverse=True) and page["items"][3]["rice_score"] is None

    second = (
        await c.get("/usecases", params={"industry": industry, "limit": 2, "offset": 2}, headers=intake.as_("viewer"))
    ).json()
    assert [i["id"] for i in second["items"]] == [ids[100], draft.json()["id"]]
    north = (
        await c.get("/usecases", params={"industry": industry, "business_unit": "North"}, headers=intake.as_("viewer"))
    ).json()
    assert [i["id"] for i in north["items"]] == [ids[800], ids[100]]
    submitted = (
        await c.get(
            "/usecases",
            params={"industry": industry, "status": ["submitted", "in_review"]},
            headers=intake.as_("viewer"),
        )
    ).json()
    assert [i["id"] for i in submitted["items"]] == [ids[800]]
    r = await c.get("/usecases", params={"limit": 10_000}, headers=intake.as_("viewer"))
    assert r.status_code == 422 and r.json()["field"] == "limit"


async def test_timeline_orders_facts_by_when_they_happened_and_ignores_duplicates(intake, form_data):
    industry = f"Energy-{uuid4().hex[:6]}"
    uid = await approved_usecase(intake, complete_form(form_data, industry=industry))
    usecase_id, job, model = UUID(uid), uuid4(), uuid4()
    base = utcnow() + timedelta(seconds=1)  # after the approval, a second apart each
    common = {"producer": "test", "usecase_id": usecase_id}
    queued = JobQueued(
        **common, occurred_at=base, job_id=job, dataset_version_id=uuid4(), base_model="m", method="lora"
    )
    started = JobStarted(**common, occurred_at=base + timedelta(seconds=1), job_id=job, worker="w")
    evaluated = EvaluationCompleted(
        **common,
        occurred_at=base + timedelta(seconds=2),
        evaluation_id=uuid4(),
        job_id=job,
        dataset_version_id=uuid4(),
        task_type="classification",
        base_model="m",
        adapter_uri="file:///a",
        passed=True,
        reasons=["beats base"],
        metrics_tuned={"accuracy": 0.97},
        metrics_base={"accuracy": 0.1},
    )
    registered = ModelRegistered(
        **common,
        occurred_at=base + timedelta(seconds=3),
        model_id=model,
        version_id=uuid4(),
        name="tickets",
        version=1,
        stage="production",
    )
    deployed = DeploymentUpdated(
        **common,
        occurred_at=base + timedelta(seconds=4),
        model_id=model,
        deployment_id=uuid4(),
        name="tickets",
        stable_version_id=registered.version_id,
        canary_weight=0.0,
        status="healthy",
    )
    broker = intake.app.state.tuneline.broker
    # Newest first, and one of them twice: arrival order must not matter.
    for topic, event in (
        (DEPLOYMENT_UPDATED, deployed),
        (MODEL_REGISTERED, registered),
        (JOB_STARTED, started),
        (EVALUATION_COMPLETED, evaluated),
        (JOB_QUEUED, queued),
        (JOB_STARTED, started),
    ):
        await publish_now(broker, topic, event)

    async def downstream_entries() -> list[dict[str, Any]]:
        r = await intake.client.get(f"/usecases/{uid}/timeline", headers=intake.as_("viewer"))
        entries = [e for e in r.json() if e["producer"] == "test"]
        return entries if len(entries) >= 5 else []

    entries = await eventually(downstream_entries, what="five downstream facts on the timeline")
    assert [e["type"] for e in entries] == [
        "job.queued",
        "job.started",
        "evaluation.completed",
        "model.registered",
        "deployment.updated",
    ]
    full = (await intake.client.get(f"/usecases/{uid}/timeline", headers=intake.as_("viewer"))).json()
    types = [e["type"] for e in full]
    assert types[:4] == ["usecase.created", "usecase.submitted", "usecase.review_started", "usecase.approved"]
    assert [e["occurred_at"] for e in full] == sorted(e["occurred_at"] for e in full)
    assert types.count("job.started") == 1
    assert types.count("usecase.work_started") == 1 and types.count("usecase.deployed") == 1

    body = (await intake.client.get(f"/usecases/{uid}", headers=intake.as_("viewer"))).json()
    assert body["status"] == "deployed"
    assert body["stage"] == "deployment healthy"
    assert body["progress"]["job"]["status"] == "started"

    dash = (
        await intake.client.get("/usecases/dashboard", params={"industry": industry}, headers=intake.as_("viewer"))
    ).json()
    assert dash["counts_by_status"] == {"deployed": 1}
    [item] = dash["active"]["items"]
    assert item["id"] == uid and item["stage"] == "deployment healthy"
    assert item["model_versions"] == [
        {"version_id": str(registered.version_id), "name": "tickets", "version": 1, "stage": "production"}
    ]
    assert item["production_version"] == 1
    assert item["headline_metrics"] == {"accuracy": 0.97} and item["deployment_status"] == "healthy"


async def test_finished_job_measured_throughput_changes_the_next_use_cases_training_estimate(intake, form_data):
    form = complete_form(form_data, industry=f"Logistics-{uuid4().hex[:6]}")
    params = validate_submission(form).parameters
    lora = flops_per_token(params, "lora")

    async def training_estimate() -> tuple[str, dict[str, Any]]:
        r = await intake.client.post("/usecases", json=form, headers=intake.as_("data_owner"))
        assert r.status_code == 201, r.text
        return r.json()["id"], r.json()["assessment"]["costs"]["training"]

    first_id, before = await training_estimate()
    assert before["profile"] == intake.settings.hardware_profile
    # What the shared model assumed so far (a measured job of another test may already be folded in).
    assumed = replace(
        default_profile(intake.settings.hardware_profile), effective_tflops=before["tokens_per_s"] * lora / 1e12
    )
    # A 360M-parameter job on the same hardware: 2M tokens in 500 s of training (many times the CPU row).
    job = JobCompleted(
        producer="test",
        usecase_id=UUID(first_id),
        job_id=uuid4(),
        dataset_id=uuid4(),
        dataset_version_id=uuid4(),
        task_type="classification",
        base_model="smollm2-360m-instruct",
        method="lora",
        adapter_uri="file:///adapter",
        trained_tokens=2_000_000,
        duration_seconds=560.0,
        hardware_profile=intake.settings.hardware_profile,
        parameters=361_821_120,
        train_seconds=500.0,
    )
    await publish_now(intake.app.state.tuneline.broker, JOB_COMPLETED, job)

    async def folded() -> bool:
        r = await intake.client.get(f"/usecases/{first_id}/timeline", headers=intake.as_("viewer"))
        return any(e["type"] == "job.completed" for e in r.json())

    await eventually(folded, what="the finished job on the timeline")
    _, after = await training_estimate()
    expected = fold_measurement(assumed, params=361_821_120, method="lora", tokens=2_000_000, seconds=500.0)
    assert after["tokens_per_s"] == pytest.approx(expected.effective_tflops * 1e12 / lora)
    assert after["tokens_per_s"] > before["tokens_per_s"] and after["cost_usd"] < before["cost_usd"]
    assert after["training_tokens"] == before["training_tokens"]


async def test_outside_system_submits_once_per_reference(intake, form_data):
    industry = f"Retail-{uuid4().hex[:6]}"
    ref = f"INC-{uuid4().hex[:8]}"
    form = complete_form(form_data, industry=industry)
    broker = intake.app.state.tuneline.broker
    for _ in range(2):  # the ticketing system re-sends the same request as a new event
        request = UseCaseIntakeRequested(
            producer="servicenow",
            source_system="servicenow",
            external_ref=ref,
            requested_by="u123",
            form=form,
            team=TEST_TEAM,  # the team the ticketing system files for: its people review the use case
        )
        await publish_now(broker, USECASE_INTAKE_REQUESTED, request)
    bad = UseCaseIntakeRequested(
        producer="servicenow",
        source_system="servicenow",
        external_ref=f"{ref}-bad",
        requested_by="u123",
        form={"industry": industry, "model_type": "audio"},
    )
    await publish_now(broker, USECASE_INTAKE_REQUESTED, bad)

    async def listed() -> list[dict[str, Any]]:
        r = await intake.client.get("/usecases", params={"industry": industry}, headers=intake.as_("viewer"))
        return r.json()["items"]

    [item] = await eventually(listed, what="use case from the ticketing system")
    body = (await intake.client.get(f"/usecases/{item['id']}", headers=intake.as_("viewer"))).json()
    assert (body["status"], body["source_system"], body["external_ref"]) == ("submitted", "servicenow", ref)
    assert body["submitter"] == "servicenow:u123"
    rejected = await eventually(lambda: intake.audit("usecase.ingress_rejected", f"{ref}-bad"), what="rejection")
    assert set(rejected[0].details["fields"]) == {"title", "model_type"}
    await asyncio.sleep(0.5)
    assert len(await listed()) == 1


async def test_retiring_publishes_usecase_retired_once_for_the_other_services(intake, form_data):
    c = intake.client
    uid = await approved_usecase(intake, complete_form(form_data))
    body = {"reason": "replaced by a RAG assistant"}
    r = await c.post(f"/usecases/{uid}/retire", json=body, headers=intake.as_("reviewer"))
    assert r.status_code == 403, "only delivery roles retire"
    for _ in range(2):  # a retried request publishes nothing twice
        r = await c.post(f"/usecases/{uid}/retire", json=body, headers=intake.as_("ml_engineer", "ed"))
    assert r.json()["status"] == "retired", r.text
    (event,) = await intake.outbox("usecase.retired", uid)
    payload = UseCaseRetired.model_validate_json(event.payload)
    assert (payload.reason, payload.retired_by, payload.team) == ("replaced by a RAG assistant", "ed", TEST_TEAM)


# ----------------------------------------------------------------------------------------------------- erasure


async def _erase(intake: Intake, uid: str, headers: dict[str, str], reason: str | None = "GDPR art. 17 request #42"):
    body = {"reason": reason} if reason is not None else {}
    return await intake.client.request("DELETE", f"/usecases/{uid}", json=body, headers=headers)


async def _rows_holding(intake: Intake, *needles: str) -> dict[str, int]:
    """Every table of intake's schema, and how many of its rows hold any of `needles` (as text)."""
    found: dict[str, int] = {}
    async with intake.app.state.tuneline.sessions() as s:
        tables = (
            await s.execute(
                sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
            )
        ).scalars()
        for table in list(tables):
            for needle in needles:
                stmt = sa.text(f'SELECT count(*) FROM "{table}" t WHERE t::text LIKE :n')  # noqa: S608 (catalogue names)
                n = (await s.execute(stmt, {"n": f"%{needle}%"})).scalar_one()
                if n:
                    found[table] = found.get(table, 0) + n
    return found


async def test_erasing_a_use_case_removes_its_content_leaves_a_tombstone_and_publishes_once(intake, form_data):
    """The attack: another team's data owner or viewer, the team's own viewer and data owner, or a request without
    a reason erases a team's live use case. All are refused (403 audited, 422 naming `reason`). The team's ML
    engineer erases it: retired first, its title, problem statement and comments gone from every table of intake's
    schema, a tombstone, usecase.erased once; reads answer 404 naming the erasure, a repeat answers 200."""
    c = intake.client
    marker = uuid4().hex
    title, problem = f"Erasable {marker}", f"Customer Erika Mustermann-{marker} complains about pumps"
    uid = await approved_usecase(intake, complete_form(form_data, title=title, problem_statement=problem))
    r = await c.post(f"/usecases/{uid}/comments", json={"body": f"note {marker}"}, headers=intake.as_("reviewer"))
    assert r.status_code == 201

    async def all_sent() -> bool:
        rows = [*await intake.outbox("usecase.submitted", uid), *await intake.outbox("usecase.approved", uid)]
        return len(rows) == 2 and all(row.sent_at is not None for row in rows)

    await eventually(all_sent, what="the use case's events relayed")
    assert await _rows_holding(intake, title, problem)  # the scan finds what is there

    outsiders = (
        bearer(intake.settings, "data_owner", subject="oscar", team="finance"),
        bearer(intake.settings, "viewer", subject="vera", team="finance"),
        intake.as_("viewer"),
        intake.as_("data_owner", "alice"),  # the submitter: retiring (and erasing) is for delivery roles
    )
    for headers in outsiders:
        r = await _erase(intake, uid, headers)
        assert r.status_code == 403, r.text
    assert len(await intake.audit("access.denied", uid)) == len(outsiders)
    engineer = intake.as_("ml_engineer", "ed")
    for reason in (None, "   "):
        r = await _erase(intake, uid, engineer, reason)
        assert r.status_code == 422 and "reason" in r.text, r.text
    assert (await c.get(f"/usecases/{uid}", headers=intake.as_("viewer"))).json()["status"] == "approved"

    r = await _erase(intake, uid, engineer)
    assert r.status_code == 202, r.text
    tomb = r.json()
    assert (tomb["usecase_id"], tomb["status"], tomb["status_before"]) == (uid, "erased", "approved")
    assert (tomb["team"], tomb["erased_by"], tomb["reason"]) == (TEST_TEAM, "ed", "GDPR art. 17 request #42")
    assert tomb["erased"]["usecases"] == 1 and tomb["erased"]["comments"] == 1 and tomb["erased"]["outbox"] == 2
    assert await _rows_holding(intake, title, problem, f"note {marker}") == {}

    (retired,) = await intake.outbox("usecase.retired", uid)
    assert UseCaseRetired.model_validate_json(retired.payload).reason == "GDPR art. 17 request #42"
    (erased,) = await intake.outbox("usecase.erased", uid)
    event = UseCaseErased.model_validate_json(erased.payload)
    assert (event.usecase_id, event.erased_by, event.team) == (UUID(uid), "ed", TEST_TEAM)
    (audited,) = await intake.audit("usecase.erased", uid)
    assert audited.actor == "ed" and audited.details["erasure_id"] == tomb["id"]

    for path in (f"/usecases/{uid}", f"/usecases/{uid}/comments", f"/usecases/{uid}/timeline"):
        r = await c.get(path, headers=intake.as_("viewer"))
        assert r.status_code == 404 and "erased" in r.json()["detail"], (path, r.text)
    page = (await c.get("/usecases", params={"industry": form_data()["industry"]}, headers=intake.as_("viewer"))).json()
    assert uid not in [i["id"] for i in page["items"]]

    again = await _erase(intake, uid, engineer, "asked twice")
    assert again.status_code == 200 and again.json()["id"] == tomb["id"] and again.json()["reason"] == tomb["reason"]
    assert len(await intake.outbox("usecase.erased", uid)) == 1
    assert (await _erase(intake, uid, outsiders[0])).status_code == 403

    report = await c.get(f"/usecases/{uid}/erasure", headers=intake.as_("viewer"))
    assert report.status_code == 200 and report.json()["id"] == tomb["id"] and report.json()["datasets"] == []
    assert (await c.get(f"/usecases/{uid}/erasure", headers=outsiders[1])).status_code == 403

    # the data service erases the use case's datasets: intake notes their ids (and puts nothing on a timeline)
    dataset_id, erasure_id = uuid4(), uuid4()
    fact = DatasetErased(
        producer="data",
        usecase_id=UUID(uid),
        erasure_id=erasure_id,
        dataset_id=dataset_id,
        version_ids=[uuid4()],
        whole_dataset=True,
        team=TEST_TEAM,
        requested_by="ed",
        reason=f"use case {uid} erased: GDPR art. 17 request #42",
    )
    for _ in range(2):  # redelivered
        await publish_now(intake.app.state.tuneline.broker, DATASET_ERASED, fact)

    async def noted() -> list[dict[str, Any]]:
        return (await c.get(f"/usecases/{uid}/erasure", headers=intake.as_("viewer"))).json()["datasets"]

    datasets = await eventually(noted, what="the erased dataset noted")
    assert datasets == [
        {"dataset_id": str(dataset_id), "erasure_id": str(erasure_id), "report": f"/datasets/{dataset_id}/erasure"}
    ]


async def test_erasing_a_draft_publishes_no_retirement_and_an_unknown_use_case_is_404(intake):
    c = intake.client
    uid = (await c.post("/usecases", json={"title": "Draft to forget"}, headers=intake.as_("data_owner"))).json()["id"]
    admin = bearer(intake.settings, "admin", subject="ada", team="finance")
    r = await _erase(intake, uid, admin)
    assert r.status_code == 202 and r.json()["status_before"] == "draft", r.text
    assert await intake.outbox("usecase.retired", uid) == []
    assert len(await intake.outbox("usecase.erased", uid)) == 1
    assert (await _erase(intake, str(uuid4()), admin)).status_code == 404
    assert (await c.get(f"/usecases/{uuid4()}/erasure", headers=admin)).status_code == 404
