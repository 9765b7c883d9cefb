"""The monitoring service against real PostgreSQL and the Kafka-protocol broker: ingest → REST, alerts, canary,
feedback. Background loops are off; the tests drive one evaluation pass at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import AuditRecord, OutboxRecord, transaction
from tuneline.common.events import DEPLOYMENT_UPDATED, INFERENCE_LOGGED, DeploymentUpdated, InferenceLogged
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app
from tuneline.monitoring.app import create_app
from tuneline.monitoring.models import service as models_service
from tuneline.monitoring.orchestration import alerts_once
from tuneline.monitoring.settings import MonitoringSettings

pytestmark = pytest.mark.integration


def settings_for(make_settings) -> MonitoringSettings:
    return make_settings(
        MonitoringSettings,
        run_background_loops=False,
        ingest_batch_timeout_ms=20,
        price_table={"*": {"per_1k_input_tokens": 0.01, "per_1k_output_tokens": 0.02}},
        canary_min_requests=100,
    )


def inference(
    model: str,
    version: UUID,
    *,
    arm: str = "stable",
    latency: float = 100.0,
    status: str = "ok",
    at: datetime | None = None,
    request_id: str | None = None,
    output: str | None = None,
) -> InferenceLogged:
    return InferenceLogged(
        producer="registry",
        request_id=request_id or str(uuid4()),
        model_name=model,
        version_id=version,
        arm=arm,  # type: ignore[arg-type]
        latency_ms=latency,
        tokens_in=100,
        tokens_out=50,
        status=status,  # type: ignore[arg-type]
        caller=f"key-{int(latency) % 3}",
        occurred_at=at or datetime.now(UTC),
        output=output,
    )


async def serve(state, model: str, stable: UUID, *, usecase: UUID | None = None, team: str | None = TEST_TEAM) -> UUID:
    """What deployment.updated tells monitoring: the model serves `stable` for a use case of `team`."""
    usecase = usecase or uuid4()
    event = DeploymentUpdated(
        producer="registry",
        usecase_id=usecase,
        model_id=uuid4(),
        deployment_id=uuid4(),
        name=model,
        stable_version_id=stable,
        status="healthy",
        canary_weight=0.0,
        team=team,
    )
    async with transaction(state.sessions) as session:
        await models_service.record_deployment(session, event)
    return usecase


async def outbox(state, topic: str) -> list[dict]:
    async with state.sessions() as session:
        rows = (await session.execute(sa.select(OutboxRecord).where(OutboxRecord.topic == topic))).scalars()
        return [json.loads(r.payload) for r in rows]


async def current(client, settings, model: str) -> dict:
    response = await client.get(f"/metrics/models/{model}/current", headers=bearer(settings, "viewer"))
    assert response.status_code == 200, response.text
    return {(i["version"], i["arm"]): i["figures"] for i in response.json()["items"]}


async def test_ingested_events_show_up_as_figures_once_each_and_fire_a_rule(make_settings) -> None:
    settings = settings_for(make_settings)
    app = create_app(settings)
    model, version = f"clf-{uuid4().hex[:8]}", uuid4()
    async with running_app(app) as client:
        state = app.state.tuneline
        await serve(state, model, version)
        events = [
            inference(model, version, latency=float(10 * (i + 1)), status="error" if i % 5 == 0 else "ok")
            for i in range(20)
        ]
        for event in events:
            await publish_now(state.broker, INFERENCE_LOGGED, event)
        await publish_now(state.broker, INFERENCE_LOGGED, events[0])  # redelivery: must not count twice

        async def all_counted() -> dict | None:
            figures = await current(client, settings, model)
            row = figures.get((str(version), "stable"))
            return row if row and row["requests"] >= 20 else None

        figures = await eventually(all_counted, timeout_s=30, what="20 events rolled up")
        assert figures["requests"] == 20 and figures["errors"] == 4
        assert figures["error_rate"] == pytest.approx(0.2)
        # latencies 10..200 ms: lower p95 = element floor(0.95 * 19) = 18 -> 190 ms (sketch within 1 %)
        assert figures["latency_p95_ms"] == pytest.approx(190.0, rel=0.01)
        assert figures["cost"] == pytest.approx(20 * (0.1 * 0.01 + 0.05 * 0.02))
        assert figures["unique_callers"] == 3.0

        costs = (await client.get("/metrics/costs", headers=bearer(settings, "viewer"))).json()
        assert costs["per_model"][model] == pytest.approx(20 * 0.002)

        rule = await client.post(
            "/alerts/rules",
            json={
                "name": "Errors",
                "metric": "error_rate",
                "comparator": ">",
                "threshold": 0.1,
                "window_seconds": 600,
                "severity": "high",
                "min_samples": 10,
                "model_name": model,
            },
            headers=bearer(settings, "sre"),
        )
        assert rule.status_code == 201, rule.text
        bad = await client.post(
            "/alerts/rules",
            json={
                "name": "x",
                "metric": "latency",
                "comparator": ">",
                "threshold": 1,
                "window_seconds": 600,
                "severity": "high",
                "model_name": model,
            },
            headers=bearer(settings, "sre"),
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "metric"
        viewer_try = await client.post(
            "/alerts/rules", json=rule.json() | {"id": None}, headers=bearer(settings, "viewer")
        )
        assert viewer_try.status_code in (403, 422)

        transitions = await alerts_once(state)
        assert [t.kind.value for t in transitions if t.alert.key.model == model] == ["raised"]
        exposed = (await client.get("/metrics")).text
        assert (
            f'tuneline_monitoring_requests_total{{arm="stable",model="{model}",status="error",version="{version}"}} 4.0'
            in exposed
        )
        assert f'tuneline_monitoring_error_rate{{arm="stable",model="{model}",version="{version}"}} 0.2' in exposed
        again = await alerts_once(state)  # still breached: the open alert is updated, not duplicated
        assert [t.kind.value for t in again if t.alert.key.model == model] == ["updated"]
        alerts = (await client.get(f"/alerts?model={model}", headers=bearer(settings, "viewer"))).json()
        assert len(alerts) == 1 and alerts[0]["state"] == "firing" and alerts[0]["occurrences"] == 2
        raised = [e for e in await outbox(state, "alert.raised") if e["model_name"] == model]
        assert len(raised) == 1 and raised[0]["action"] == "none" and raised[0]["value"] == pytest.approx(0.2)

        alert_id = alerts[0]["id"]
        ack = await client.post(f"/alerts/{alert_id}/acknowledge", headers=bearer(settings, "sre", subject="ann"))
        assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "ann"
        twice = await client.post(f"/alerts/{alert_id}/acknowledge", headers=bearer(settings, "sre"))
        assert twice.status_code == 409 and twice.json()["allowed"] == ["resolved"]
        done = await client.post(f"/alerts/{alert_id}/resolve", headers=bearer(settings, "sre"))
        assert done.json()["state"] == "resolved"


async def test_a_failing_canary_raises_one_rollback_alert_for_the_registry(make_settings) -> None:
    settings = settings_for(make_settings)
    app = create_app(settings)
    model, stable, canary = f"gen-{uuid4().hex[:8]}", uuid4(), uuid4()
    usecase = uuid4()
    async with running_app(app) as client:
        state = app.state.tuneline
        await publish_now(
            state.broker,
            DEPLOYMENT_UPDATED,
            DeploymentUpdated(
                producer="registry",
                usecase_id=usecase,
                model_id=uuid4(),
                deployment_id=uuid4(),
                name=model,
                stable_version_id=stable,
                canary_version_id=canary,
                canary_weight=0.5,
                status="healthy",
                team=TEST_TEAM,
            ),
        )

        async def known() -> bool:
            async with state.sessions() as session:
                return await models_service.get_model(session, model) is not None

        await eventually(known, timeout_s=30, what="deployment.updated recorded")
        for i in range(200):
            await publish_now(
                state.broker, INFERENCE_LOGGED, inference(model, stable, status="error" if i % 100 == 0 else "ok")
            )
            await publish_now(
                state.broker,
                INFERENCE_LOGGED,
                inference(model, canary, arm="canary", status="error" if i % 5 == 0 else "ok"),
            )

        async def both_arms() -> bool:
            figures = await current(client, settings, model)
            return sum(f["requests"] for f in figures.values()) >= 400

        await eventually(both_arms, timeout_s=30, what="both arms rolled up")
        transitions = [t for t in await alerts_once(state) if t.alert.key.model == model]
        assert [(t.kind.value, t.alert.source, t.alert.key.arm) for t in transitions] == [
            ("raised", "canary-guard", "canary")
        ]
        evidence = transitions[0].alert.evidence
        assert evidence["action"] == "rollback_recommended"
        failure = evidence["evidence"][0]
        assert (failure["stable_value"], failure["canary_value"]) == (0.01, 0.2)
        events = [e for e in await outbox(state, "alert.raised") if e["model_name"] == model]
        assert len(events) == 1
        assert events[0]["action"] == "rollback_canary" and events[0]["version_id"] == str(canary)
        assert events[0]["severity"] == "critical"
        # rows of the use case are tagged from deployment.updated
        usecase_view = (
            await client.get(f"/metrics/usecases/{usecase}/current", headers=bearer(settings, "viewer"))
        ).json()
        assert sum(i["figures"]["requests"] for i in usecase_view["items"]) == 400


async def test_feedback_counts_once_and_ground_truth_scores_the_logged_output(make_settings) -> None:
    settings = settings_for(make_settings)
    app = create_app(settings)
    model, version = f"fb-{uuid4().hex[:8]}", uuid4()
    async with running_app(app) as client:
        state = app.state.tuneline
        await serve(state, model, version)
        await publish_now(
            state.broker, INFERENCE_LOGGED, inference(model, version, request_id=f"{model}-r1", output="Outage")
        )
        await publish_now(
            state.broker, INFERENCE_LOGGED, inference(model, version, request_id=f"{model}-r2", output="billing")
        )
        await eventually(lambda: current(client, settings, model), timeout_s=30, what="requests stored")

        async def post(body: dict) -> tuple[int, dict]:
            response = await client.post("/feedback", json=body, headers=bearer(settings, "viewer"))
            return response.status_code, response.json()

        async def stored() -> bool:
            code, _ = await post({"request_id": f"{model}-r1", "rating": "up"})
            return code == 201

        await eventually(stored, timeout_s=30, what="feedback accepted")
        assert (await post({"request_id": f"{model}-r1", "rating": "down"}))[0] == 409
        code, body = await post({"request_id": f"{model}-r1", "truth_label": " outage "})
        assert code == 201 and body["correct"] is True
        code, body = await post({"request_id": f"{model}-r2", "rating": "down", "truth_label": "outage"})
        assert code == 201 and body["correct"] is False
        code, body = await post({"request_id": "no-such-request", "rating": "up"})
        assert code == 404 and body["field"] == "request_id"
        assert (await post({"request_id": f"{model}-r2"}))[0] == 422

        quality = (await client.get(f"/metrics/models/{model}/quality", headers=bearer(settings, "viewer"))).json()
        [point] = quality["points"]
        assert (point["thumbs_up"], point["thumbs_down"], point["labelled"], point["accuracy"]) == (1, 1, 2, 0.5)


# ---- teams: each test is an attack from another team that used to work --------------------------------------------


async def test_another_teams_people_see_nothing_of_a_models_monitoring_and_an_admin_sees_every_team(
    make_settings,
) -> None:
    settings = settings_for(make_settings)
    app = create_app(settings)
    ours, theirs, version = f"ours-{uuid4().hex[:8]}", f"theirs-{uuid4().hex[:8]}", uuid4()
    owner_viewer = bearer(settings, "viewer", subject="olga", team="other-team")
    owner_sre = bearer(settings, "sre", subject="omar", team="other-team")
    viewer, sre = bearer(settings, "viewer", subject="vic"), bearer(settings, "sre", "ml_engineer", subject="sam")
    admin = bearer(settings, "admin", subject="ada")
    async with running_app(app) as client:
        state = app.state.tuneline
        await serve(state, ours, version)
        their_usecase = await serve(state, theirs, version, team="other-team")
        for model in (ours, theirs):
            for i in range(10):
                event = inference(model, version, status="error" if i % 2 else "ok", request_id=f"{model}-{i}")
                await publish_now(state.broker, INFERENCE_LOGGED, event)

        async def both_counted() -> bool:
            r = await client.get("/metrics/models", headers=admin)
            requests = {i["model"]: i["figures"]["requests"] for i in r.json()["items"]}
            return requests.get(ours) == 10 and requests.get(theirs) == 10

        await eventually(both_counted, timeout_s=30, what="both teams' events rolled up")
        rule = {
            "name": "Errors",
            "metric": "error_rate",
            "comparator": ">",
            "threshold": 0.1,
            "window_seconds": 600,
            "severity": "high",
            "min_samples": 1,
        }
        assert (await client.post("/alerts/rules", json=rule | {"model_name": theirs}, headers=sre)).status_code == 403
        assert (await client.post("/alerts/rules", json=rule, headers=sre)).status_code == 403  # every team's models
        r = await client.post("/alerts/rules", json=rule | {"model_name": theirs}, headers=owner_sre)
        assert r.status_code == 201, r.text
        rule_id = r.json()["id"]
        await alerts_once(state)
        (alert,) = (await client.get(f"/alerts?model={theirs}", headers=owner_viewer)).json()
        assert [e["team"] for e in await outbox(state, "alert.raised") if e["model_name"] == theirs] == ["other-team"]

        reads = [
            f"/metrics/models/{theirs}/current",
            f"/metrics/models/{theirs}/series",
            f"/metrics/models/{theirs}/quality",
            f"/metrics/usecases/{their_usecase}/current",
            f"/metrics/usecases/{their_usecase}/series",
            f"/metrics/costs?usecase_id={their_usecase}",
            f"/alerts?model={theirs}",
            f"/alerts/{alert['id']}",
            f"/alerts/rules/{rule_id}",
            f"/drift/reports?model={theirs}",
            f"/recommendations/models/{theirs}",
            f"/retraining/policies/{their_usecase}",
            f"/retraining/actions?usecase_id={their_usecase}",
        ]
        for path in reads:
            r = await client.get(path, headers=viewer)
            assert r.status_code == 403, (path, r.text)
            assert "belongs to team 'other-team'" in r.json()["detail"], r.text
        changes = [
            ("POST", f"/alerts/{alert['id']}/acknowledge", None),
            ("POST", f"/alerts/{alert['id']}/resolve", None),
            ("PATCH", f"/alerts/rules/{rule_id}", {"enabled": False}),
            ("DELETE", f"/alerts/rules/{rule_id}", None),
            ("PUT", f"/retraining/policies/{their_usecase}", {"enabled": False}),
            ("POST", "/feedback", {"request_id": f"{theirs}-1", "rating": "down"}),
        ]
        for method, path, body in changes:
            r = await client.request(method, path, json=body, headers=sre)
            assert r.status_code == 403, (method, path, r.text)
        async with state.sessions() as session:
            stmt = sa.select(AuditRecord).where(AuditRecord.action == "access.denied")
            denied = [(d.actor, d.details["team"]) for d in (await session.execute(stmt)).scalars()]
        assert denied.count(("vic", "other-team")) == len(reads)
        assert denied.count(("sam", "other-team")) == len(changes) + 1  # and the rule for their model

        # listings show the caller's own team's models only
        items = (await client.get("/metrics/models", headers=viewer)).json()["items"]
        assert ours in {i["model"] for i in items} and theirs not in {i["model"] for i in items}
        costs = (await client.get("/metrics/costs", headers=viewer)).json()
        assert ours in costs["per_model"] and theirs not in costs["per_model"]
        assert all(a["model_name"] != theirs for a in (await client.get("/alerts", headers=viewer)).json())
        assert all(r["model_name"] != theirs for r in (await client.get("/alerts/rules", headers=viewer)).json())

        # the owning team's people (an SRE of theirs included) and an admin are served as before
        assert (await client.get(f"/metrics/models/{theirs}/current", headers=owner_viewer)).status_code == 200
        r = await client.post(f"/alerts/{alert['id']}/acknowledge", headers=owner_sre)
        assert r.status_code == 200 and r.json()["acknowledged_by"] == "omar"
        everything = {i["model"] for i in (await client.get("/metrics/models", headers=admin)).json()["items"]}
        assert {ours, theirs} <= everything
        assert alert["id"] in {a["id"] for a in (await client.get("/alerts", headers=admin)).json()}
