"""The registry service against real PostgreSQL and Kafka (Ray Serve replaced by the in-memory FakeRuntime)."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from fastapi import FastAPI

from tuneline.common.db import AuditRecord, OutboxRecord
from tuneline.common.events import (
    ALERT_RAISED,
    EVALUATION_COMPLETED,
    AlertRaised,
    DeploymentUpdated,
    EvaluationCompleted,
    ModelPromoted,
    ModelRegistered,
    ModelRolledBack,
)
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app
from tuneline.registry.app import create_app
from tuneline.registry.keys.secrets import hash_key
from tuneline.registry.settings import RegistrySettings

pytestmark = pytest.mark.integration


@dataclass
class Registry:
    app: FastAPI
    client: httpx.AsyncClient
    settings: RegistrySettings
    runtime: Any
    objects: Path

    def as_(self, role: str) -> dict[str, str]:
        return bearer(self.settings, role, subject=f"{role}-1")

    async def outbox(self, topic: str) -> list[dict[str, Any]]:
        async with self.app.state.tuneline.sessions() as s:
            stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == topic).order_by(OutboxRecord.id)
            rows = (await s.execute(stmt)).scalars().all()
            return [json.loads(r.payload) for r in rows]

    def adapter(self, job_id: UUID) -> str:
        """An adapter as training leaves it in the object store; returns its URI."""
        directory = self.objects / "jobs" / str(job_id) / "adapter"
        directory.mkdir(parents=True)
        (directory / "adapter_config.json").write_text('{"peft_type": "LORA", "r": 16}')
        (directory / "adapter_model.safetensors").write_bytes(b"weights")
        return directory.as_uri()

    async def evaluation(
        self, usecase_id: UUID, *, passed: bool = True, team: str | None = TEST_TEAM, **extra: Any
    ) -> EvaluationCompleted:
        job_id = uuid4()
        event = EvaluationCompleted(
            producer="evaluation",
            usecase_id=usecase_id,
            evaluation_id=uuid4(),
            job_id=job_id,
            dataset_version_id=extra.pop("dataset_version_id", None) or uuid4(),
            task_type="classification",
            base_model="tiny-base",
            adapter_uri=self.adapter(job_id),
            passed=passed,
            reasons=["accuracy 0.97 >= 0.9"] if passed else ["general perplexity rose 2.2x"],
            metrics_base={"accuracy": 0.1},
            metrics_tuned={"accuracy": 0.97},
            forgetting={"general_perplexity_ratio": 1.1},
            hyperparameters={"learning_rate": 0.0005, "lora_r": 16},
            team=team,
            **extra,
        )
        await publish_now(self.app.state.tuneline.broker, EVALUATION_COMPLETED, event)
        return event

    async def versions(self, name: str, count: int) -> list[dict[str, Any]]:
        async def check() -> list[dict[str, Any]] | None:
            r = await self.client.get(f"/models/{name}/versions", headers=self.as_("viewer"))
            return r.json() if r.status_code == 200 and len(r.json()) >= count else None

        return await eventually(check, timeout_s=20, what=f"{count} versions of {name}")

    async def model_with_versions(self, *passed: bool) -> str:
        usecase = uuid4()
        name = f"classification-{usecase.hex[:8]}"
        for i, ok in enumerate(passed):
            await self.evaluation(usecase, passed=ok)
            await self.versions(name, i + 1)
        return name


@pytest_asyncio.fixture(scope="module")
async def registry(database_url, kafka_bootstrap, tmp_path_factory, fake_runtime):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("registry")
    base = root / "base"
    base.mkdir()
    (base / "config.json").write_text("{}")
    settings = RegistrySettings(
        environment="test",
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_session_timeout_ms=2000,
        kafka_fetch_max_wait_ms=10,
        object_store_url=(root / "objects").as_uri(),
        outbox_poll_interval_s=0.2,
        base_model_dirs=json.dumps({"tiny-base": str(base)}),
        adapter_cache_dir=str(root / "adapter-cache"),
        inference_sink="kafka",
        serving_sync_min_backoff_s=0.1,
        serving_sync_max_backoff_s=0.5,
    )
    app = create_app(settings, runtime=fake_runtime)
    async with running_app(app) as client:
        yield Registry(app, client, settings, fake_runtime, root / "objects")


def arms(registry: Registry, name: str) -> dict[str, tuple[int, float]]:
    return {a.arm: (a.version, a.weight) for a in registry.runtime.current(name).router.arms}


def key_spec(registry: Registry, name: str, prefix: str) -> Any:
    """The key as the model's router was last given it (None: the router does not know it)."""
    return next((k for k in registry.runtime.current(name).router.keys if k.prefix == prefix), None)


def served(registry: Registry, name: str, prefix: str, *, revoked: bool) -> Callable[[], Awaitable[bool]]:
    """A check for `eventually`: the model's router knows the key, revoked or not."""

    async def check() -> bool:
        spec = key_spec(registry, name, prefix)
        return spec is not None and spec.revoked is revoked

    return check


async def test_evaluation_registers_a_version_with_lineage_once(registry: Registry) -> None:
    usecase = uuid4()
    event = await registry.evaluation(usecase)
    name = f"classification-{usecase.hex[:8]}"
    (v1,) = await registry.versions(name, 1)
    assert (v1["version"], v1["stage"], v1["evaluation_id"]) == (1, "staging", str(event.evaluation_id))
    # Redelivery of the same event and a new event for the same evaluation change nothing.
    await publish_now(registry.app.state.tuneline.broker, EVALUATION_COMPLETED, event)
    await publish_now(
        registry.app.state.tuneline.broker, EVALUATION_COMPLETED, event.model_copy(update={"event_id": uuid4()})
    )
    failed = await registry.evaluation(usecase, passed=False)
    versions = await registry.versions(name, 2)
    assert [(v["version"], v["stage"]) for v in versions] == [(1, "staging"), (2, "evaluation")]

    lineage = (await registry.client.get(f"/models/{name}/versions/1/lineage", headers=registry.as_("viewer"))).json()
    assert lineage["job_id"] == str(event.job_id) and lineage["dataset_version_id"] == str(event.dataset_version_id)
    # named by its key in the object store: the local store's directory is the server's
    assert lineage["adapter_uri"] == f"store:jobs/{event.job_id}/adapter" and lineage["base_model"] == "tiny-base"
    assert lineage["evaluation"]["passed"] is True and lineage["stage_history"][0]["to"] == "staging"

    registered = [ModelRegistered.model_validate(p) for p in await registry.outbox("model.registered")]
    mine = [e for e in registered if e.usecase_id == usecase]
    assert sorted((e.version, e.stage, e.evaluation_id) for e in mine) == [
        (1, "staging", event.evaluation_id),
        (2, "evaluation", failed.evaluation_id),
    ]


async def test_failed_evaluation_cannot_be_promoted_and_the_answer_says_why(registry: Registry) -> None:
    name = await registry.model_with_versions(False)
    r = await registry.client.post(
        f"/models/{name}/versions/1/transition", json={"stage": "production"}, headers=registry.as_("ml_engineer")
    )
    assert r.status_code == 409
    assert r.json()["allowed"] == ["archived", "staging"]
    await registry.client.post(
        f"/models/{name}/versions/1/transition", json={"stage": "staging"}, headers=registry.as_("ml_engineer")
    )
    r = await registry.client.post(
        f"/models/{name}/versions/1/transition", json={"stage": "production"}, headers=registry.as_("ml_engineer")
    )
    assert r.status_code == 409 and "general perplexity rose 2.2x" in r.json()["detail"]


async def test_canary_weight_promotion_and_rollback_in_one_call_each(registry: Registry) -> None:
    name = await registry.model_with_versions(True, True)
    c, eng = registry.client, registry.as_("ml_engineer")

    assert (
        await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=registry.as_("viewer"))
    ).status_code == 403
    r = await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "healthy" and r.json()["endpoint"] == f"http://serve.test/{name}/v1"
    assert arms(registry, name) == {"stable": (1, 1.0)}
    model = (await c.get(f"/models/{name}", headers=eng)).json()
    assert model["production_version"] == 1

    r = await c.post(f"/models/{name}/deployment", json={"version": 2, "canary_weight": 0.2}, headers=eng)
    assert r.status_code == 200, r.text
    assert arms(registry, name) == {"stable": (1, pytest.approx(0.8)), "canary": (2, 0.2)}
    assert (await c.get(f"/models/{name}", headers=eng)).json()["aliases"] == {"production": 1, "canary": 2}

    r = await c.put(f"/models/{name}/deployment/weight", json={"canary_weight": 0.5}, headers=eng)
    assert r.json()["canary_weight"] == 0.5 and arms(registry, name)["canary"] == (2, 0.5)

    r = await c.post(f"/models/{name}/deployment/promote", headers=eng)
    assert r.status_code == 200 and (r.json()["stable_version"], r.json()["previous_version"]) == (2, 1)
    assert arms(registry, name) == {"stable": (2, 1.0), "previous": (1, 0.0)}
    stages = {v["version"]: v["stage"] for v in (await c.get(f"/models/{name}/versions", headers=eng)).json()}
    assert stages == {1: "deprecated", 2: "production"}

    r = await c.post(f"/models/{name}/deployment/rollback", json={"reason": "complaints"}, headers=registry.as_("sre"))
    assert r.status_code == 200 and r.json()["stable_version"] == 1
    assert arms(registry, name) == {"stable": (1, 1.0)}
    stages = {v["version"]: v["stage"] for v in (await c.get(f"/models/{name}/versions", headers=eng)).json()}
    assert stages == {1: "production", 2: "deprecated"}

    model_id = UUID(model["id"])
    promoted = [ModelPromoted.model_validate(p) for p in await registry.outbox("model.promoted")]
    moves = [(e.version, e.from_stage, e.to_stage) for e in promoted if e.model_id == model_id]
    assert moves == [
        (1, "staging", "production"),
        (1, "production", "deprecated"),
        (2, "staging", "production"),
        (2, "production", "deprecated"),
        (1, "deprecated", "production"),
    ]
    rolled = [ModelRolledBack.model_validate(p) for p in await registry.outbox("model.rolled_back")]
    assert [(e.reason, e.name) for e in rolled if e.model_id == model_id] == [("complaints", name)]
    updates = [DeploymentUpdated.model_validate(p) for p in await registry.outbox("deployment.updated")]
    assert [u.canary_weight for u in updates if u.model_id == model_id] == [0.0, 0.2, 0.5, 0.0, 0.0]
    v1_dataset = UUID((await c.get(f"/models/{name}/versions/1/lineage", headers=eng)).json()["dataset_version_id"])
    last = [u for u in updates if u.model_id == model_id][-1]
    assert (last.stable_dataset_version_id, last.replicas, last.status) == (v1_dataset, 1, "healthy")


async def test_blue_green_switches_all_traffic_and_promotes(registry: Registry) -> None:
    name = await registry.model_with_versions(True, True)
    c, eng = registry.client, registry.as_("ml_engineer")
    await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)
    r = await c.post(f"/models/{name}/deployment/blue-green", json={"version": 2}, headers=eng)
    assert r.status_code == 200 and arms(registry, name) == {"stable": (2, 1.0), "previous": (1, 0.0)}
    assert (await c.get(f"/models/{name}", headers=eng)).json()["production_version"] == 2


async def test_version_that_fails_to_load_leaves_the_previous_serving_and_reports_why(registry: Registry) -> None:
    name = await registry.model_with_versions(True, True)
    c, eng = registry.client, registry.as_("ml_engineer")
    await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)
    broken_id = (await c.get(f"/models/{name}/versions/2", headers=eng)).json()["id"]
    registry.runtime.broken[broken_id] = "size mismatch for lora_A"
    r = await c.post(f"/models/{name}/deployment", json={"version": 2, "canary_weight": 0.3}, headers=eng)
    assert r.status_code == 409
    assert "size mismatch for lora_A" in r.json()["detail"]
    assert (r.json()["stable_version"], r.json()["canary_version"]) == (1, None)
    assert arms(registry, name) == {"stable": (1, 1.0)}
    view = (await c.get(f"/models/{name}/deployment", headers=eng)).json()
    assert view["status"] == "healthy" and "size mismatch" in view["detail"]
    stages = {v["version"]: v["stage"] for v in (await c.get(f"/models/{name}/versions", headers=eng)).json()}
    assert stages == {1: "production", 2: "staging"}
    model_id = UUID((await c.get(f"/models/{name}", headers=eng)).json()["id"])
    updates = [DeploymentUpdated.model_validate(p) for p in await registry.outbox("deployment.updated")]
    assert [u.status for u in updates if u.model_id == model_id] == ["healthy", "failed"]


async def test_canary_alert_rolls_back_only_when_the_policy_allows(registry: Registry) -> None:
    c, eng = registry.client, registry.as_("ml_engineer")
    names = [await registry.model_with_versions(True, True) for _ in range(2)]
    for name in names:
        await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)
        await c.post(f"/models/{name}/deployment", json={"version": 2, "canary_weight": 0.1}, headers=eng)
    keep = names[1]
    r = await c.patch(f"/models/{keep}/policy", json={"auto_rollback": False}, headers=registry.as_("admin"))
    assert r.status_code == 200, r.text
    for name in names:
        alert = AlertRaised(
            producer="monitoring",
            alert_id=uuid4(),
            model_name=name,
            arm="canary",
            rule="canary_error_rate",
            severity="critical",
            metric="error_rate",
            value=0.2,
            threshold=0.05,
            message="canary errors 20% vs 1%",
            action="rollback_canary",
        )
        await publish_now(registry.app.state.tuneline.broker, ALERT_RAISED, alert)

    async def rolled_back() -> bool:
        view = (await c.get(f"/models/{names[0]}/deployment", headers=eng)).json()
        return view["canary_version"] is None

    await eventually(rolled_back, timeout_s=20, what="canary rollback")
    rolled = [ModelRolledBack.model_validate(p) for p in await registry.outbox("model.rolled_back")]
    assert [e.reason for e in rolled if e.name == names[0]] == ["alert canary_error_rate: canary errors 20% vs 1%"]
    assert (await c.get(f"/models/{keep}/deployment", headers=eng)).json()["canary_version"] == 2


async def test_keys_are_shown_once_stored_hashed_and_pushed_to_routers(registry: Registry) -> None:
    name = await registry.model_with_versions(True)
    c, eng = registry.client, registry.as_("ml_engineer")
    await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)
    r = await c.post("/models/keys", json={"name": "app", "models": [name], "requests_per_minute": 60}, headers=eng)
    assert r.status_code == 201
    created = r.json()
    plaintext, prefix = created["key"], created["prefix"]
    listed = (await c.get(f"/models/keys?prefix={prefix}", headers=eng)).json()
    assert [k["prefix"] for k in listed] == [prefix] and "key" not in listed[0]
    (spec,) = [k for k in registry.runtime.current(name).router.keys if k.prefix == prefix]
    pepper = registry.settings.key_pepper.get_secret_value().encode()
    assert spec.key_hash == hash_key(plaintext, pepper) and not spec.revoked
    assert (await c.delete(f"/models/keys/{prefix}", headers=eng)).json()["revoked_at"] is not None
    await eventually(served(registry, name, prefix, revoked=True), what="the revocation in serving")
    assert (await c.post("/models/keys", json={"name": "x", "models": []}, headers=eng)).status_code == 422
    assert (await c.get("/models/keys", headers=registry.as_("viewer"))).status_code == 403


async def test_model_card_download_carries_the_evaluation(registry: Registry) -> None:
    name = await registry.model_with_versions(True)
    c, eng = registry.client, registry.as_("ml_engineer")
    r = await c.patch(
        f"/models/{name}/versions/1/card",
        json={"intended_use": "Route maintenance tickets.", "dataset": {"record_counts": {"train": 800}}},
        headers=eng,
    )
    assert r.status_code == 200
    card = await c.get(f"/models/{name}/versions/1/card", headers=registry.as_("viewer"))
    assert card.headers["content-type"].startswith("text/markdown")
    assert card.text.startswith("---\n") and "library_name: peft" in card.text
    assert "| accuracy | 0.1 | 0.97 | +0.87 |" in card.text
    assert "Route maintenance tickets." in card.text and "800 records" in card.text


# ---- governance: each test is an attack that used to work ------------------------------------------------------


def person(registry: Registry, role: str, subject: str) -> dict[str, str]:
    return bearer(registry.settings, role, subject=subject)


async def test_a_review_required_version_cannot_serve_as_a_canary_or_blue_green_until_the_policy_is_met(
    registry: Registry,
) -> None:
    name = await registry.model_with_versions(True, True)
    c, eng, admin = registry.client, registry.as_("ml_engineer"), registry.as_("admin")
    assert (await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)).status_code == 200
    policy = {"human_review_required": True, "review_min_reviewers": 2, "review_min_agreement": 1.0}
    assert (await c.patch(f"/models/{name}/policy", json=policy, headers=admin)).status_code == 200
    rev_a, rev_b = person(registry, "reviewer", "rev-a"), person(registry, "reviewer", "rev-b")

    # the bypass: a canary at weight 1.0 is production by another name
    r = await c.post(f"/models/{name}/deployment", json={"version": 2, "canary_weight": 1.0}, headers=eng)
    assert r.status_code == 409 and "needs 2 reviewers, has 0" in r.json()["detail"]

    # one reviewer approving twice is one reviewer
    for _ in range(2):
        r = await c.post(f"/models/{name}/versions/2/review", json={"approved": True}, headers=rev_a)
        assert r.status_code == 200
    assert [v["reviewer"] for v in r.json()["reviews"]] == ["rev-a"]
    for method, path, body in (
        ("POST", f"/models/{name}/deployment", {"version": 2, "canary_weight": 1.0}),
        ("POST", f"/models/{name}/deployment/blue-green", {"version": 2}),
        ("POST", f"/models/{name}/versions/2/transition", {"stage": "production"}),
    ):
        r = await c.request(method, path, json=body, headers=eng)
        assert r.status_code == 409, (path, r.text)
        assert "needs 2 reviewers, has 1" in r.json()["detail"], r.text
    assert arms(registry, name) == {"stable": (1, 1.0)}

    # a second, distinct reviewer satisfies the policy: the canary may serve
    assert (await c.post(f"/models/{name}/versions/2/review", json={"approved": True}, headers=rev_b)).is_success
    r = await c.post(f"/models/{name}/deployment", json={"version": 2, "canary_weight": 0.1}, headers=eng)
    assert r.status_code == 200, r.text

    # a reviewer who withdraws their approval stops the canary from taking more traffic
    r = await c.post(
        f"/models/{name}/versions/2/review", json={"approved": False, "comment": "wrong labels"}, headers=rev_b
    )
    assert [(v["reviewer"], v["approved"]) for v in r.json()["reviews"]] == [("rev-a", True), ("rev-b", False)]
    r = await c.put(f"/models/{name}/deployment/weight", json={"canary_weight": 1.0}, headers=eng)
    assert r.status_code == 409
    assert (
        "1 of 2 reviewers approved, the policy needs 100%; human review by rev-b did not approve" in r.json()["detail"]
    )
    assert (await c.post(f"/models/{name}/deployment/promote", headers=eng)).status_code == 409
    assert arms(registry, name) == {"stable": (1, pytest.approx(0.9)), "canary": (2, 0.1)}


async def test_only_an_admin_changes_a_models_policy_and_the_change_is_audited_before_and_after(
    registry: Registry,
) -> None:
    name = await registry.model_with_versions(True)
    c, eng, admin = registry.client, registry.as_("ml_engineer"), registry.as_("admin")
    assert (await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)).status_code == 200
    await c.patch(f"/models/{name}/policy", json={"human_review_required": True}, headers=admin)

    for change in ({"human_review_required": False}, {"log_prompts": True}, {"review_min_reviewers": 1}):
        r = await c.patch(f"/models/{name}/policy", json=change, headers=eng)
        assert r.status_code == 403, (change, r.text)
    model = (await c.get(f"/models/{name}", headers=eng)).json()
    assert model["policy"]["human_review_required"] is True and model["policy"]["log_prompts"] is False

    r = await c.patch(f"/models/{name}/policy", json={"review_min_agreement": 0}, headers=admin)
    assert r.status_code == 422 and "review_min_agreement" in r.text
    r = await c.patch(f"/models/{name}/policy", json={}, headers=admin)
    assert r.status_code == 422 and r.json()["field"] == "body"

    r = await c.patch(f"/models/{name}/policy", json={"log_prompts": True, "review_min_reviewers": 2}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["policy"] == {
        "human_review_required": True,
        "auto_rollback": True,
        "log_prompts": True,
        "review_min_reviewers": 2,
        "review_min_agreement": 1.0,
    }
    async with registry.app.state.tuneline.sessions() as s:
        stmt = (
            sa.select(AuditRecord)
            .where(AuditRecord.action == "model.policy_changed", AuditRecord.resource_id == model["id"])
            .order_by(AuditRecord.occurred_at)
        )
        records = (await s.execute(stmt)).scalars().all()
    last = records[-1]
    assert last.actor == "admin-1"
    assert last.details["before"] == {"log_prompts": False, "review_min_reviewers": 1}
    assert last.details["after"] == {"log_prompts": True, "review_min_reviewers": 2}

    async def routers_log_prompts() -> bool:
        return bool(registry.runtime.current(name).router.log_prompts)

    await eventually(routers_log_prompts, what="log_prompts reaching the router")


async def test_keys_are_listed_and_revoked_by_their_owner_only_and_an_admin(registry: Registry) -> None:
    name = await registry.model_with_versions(True)
    c = registry.client
    alice, bob = person(registry, "ml_engineer", "alice"), person(registry, "ml_engineer", "bob")
    body = {"name": "app", "models": [name]}
    mine = (await c.post("/models/keys", json=body, headers=alice)).json()["prefix"]
    theirs = (await c.post("/models/keys", json=body, headers=bob)).json()["prefix"]

    listed = {k["prefix"] for k in (await c.get(f"/models/keys?model={name}", headers=alice)).json()}
    assert listed == {mine}
    assert (await c.get(f"/models/keys?prefix={theirs}", headers=alice)).json() == []

    r = await c.delete(f"/models/keys/{theirs}", headers=alice)
    assert r.status_code == 403 and "only its owner or an admin" in r.json()["detail"]
    assert [d.resource_id for d in await denials(registry, "alice")] == [theirs]  # the refusal is audited
    (still,) = (await c.get(f"/models/keys?prefix={theirs}", headers=bob)).json()
    assert still["revoked_at"] is None

    admin = registry.as_("admin")
    assert {k["prefix"] for k in (await c.get(f"/models/keys?model={name}", headers=admin)).json()} == {mine, theirs}
    assert (await c.delete(f"/models/keys/{theirs}", headers=admin)).json()["revoked_at"] is not None
    assert (await c.delete(f"/models/keys/{mine}", headers=alice)).status_code == 200


async def test_a_revocation_during_a_serving_outage_commits_and_reaches_serving_when_it_recovers(
    registry: Registry,
) -> None:
    name = await registry.model_with_versions(True)
    c, eng, sre = registry.client, registry.as_("ml_engineer"), registry.as_("sre")
    assert (await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)).status_code == 200
    body = {"name": "app", "models": [name]}
    prefix = (await c.post("/models/keys", json=body, headers=eng)).json()["prefix"]
    assert key_spec(registry, name, prefix) is not None  # a healthy runtime learns a new key before the answer

    registry.runtime.down = "Ray controller unreachable"
    try:
        r = await c.delete(f"/models/keys/{prefix}", headers=eng)
        assert r.status_code == 200 and r.json()["revoked_at"] is not None
        (stored,) = (await c.get(f"/models/keys?prefix={prefix}", headers=eng)).json()
        assert stored["revoked_at"] is not None  # committed, whatever serving does
        created = await c.post("/models/keys", json=body, headers=eng)
        assert created.status_code == 201  # key creation does not depend on serving either
        new_prefix = created.json()["prefix"]

        async def retried() -> dict[str, Any] | None:
            status = (await c.get("/models/keys/sync", headers=sre)).json()
            return status if status["failed_attempts"] >= 2 else None

        status = await eventually(retried, what="the reconciler retrying")
        assert not status["in_sync"] and status["lag_s"] > 0
        assert "Ray controller unreachable" in status["last_error"]
        assert not key_spec(registry, name, prefix).revoked and key_spec(registry, name, new_prefix) is None
        assert (await c.get("/models/keys/sync", headers=registry.as_("ml_engineer"))).status_code == 403
    finally:
        registry.runtime.down = None

    # serving recovers: the reconciler applies the key set without another request
    await eventually(served(registry, name, prefix, revoked=True), what="the revocation in serving")
    await eventually(served(registry, name, new_prefix, revoked=False), what="the new key in serving")

    async def in_sync() -> dict[str, Any] | None:
        status = (await c.get("/models/keys/sync", headers=sre)).json()
        return status if status["in_sync"] else None

    status = await eventually(in_sync, what="the reconciler reporting serving in sync")
    assert status["lag_s"] == 0 and status["last_error"] is None and status["failed_attempts"] == 0


async def test_a_retired_use_case_stops_serving_and_its_bound_keys_are_revoked(registry: Registry) -> None:
    """usecase.retired: the use case's deployment leaves what serving runs and the fine-tuning key bound to it is
    revoked, both committed first and applied by the reconciler; another use case's key and model are untouched."""
    from tuneline.common.events import USECASE_RETIRED, UseCaseRetired

    c, eng = registry.client, registry.as_("ml_engineer")
    name, other = await registry.model_with_versions(True), await registry.model_with_versions(True)
    for model in (name, other):
        assert (await c.post(f"/models/{model}/deployment", json={"version": 1}, headers=eng)).status_code == 200
    usecase_id = (await c.get(f"/models/{name}", headers=eng)).json()["usecase_id"]
    owner = bearer(registry.settings, "data_owner", "ml_engineer", subject="ana")
    bound = await c.post(
        "/models/keys", json={"name": "ft", "fine_tuning": True, "usecase_id": usecase_id}, headers=owner
    )
    kept = await c.post("/models/keys", json={"name": "app", "models": [other]}, headers=owner)
    assert bound.status_code == 201 and kept.status_code == 201, (bound.text, kept.text)

    retired = UseCaseRetired(producer="intake", usecase_id=UUID(usecase_id), reason="replaced by RAG", retired_by="ada")
    await publish_now(registry.app.state.tuneline.broker, USECASE_RETIRED, retired)

    async def stopped() -> bool:
        r = await c.get(f"/models/{name}/deployment", headers=eng)
        return r.status_code == 200 and r.json()["status"] == "stopped"

    await eventually(stopped, timeout_s=20, what="the retired use case's deployment stopped")

    async def out_of_serving() -> bool:
        return all(app.name != name for app in registry.runtime.applied[-1])

    await eventually(out_of_serving, timeout_s=20, what="serving no longer runs the retired use case's model")
    keys = {k["prefix"]: k for k in (await c.get("/models/keys", headers=owner)).json()}
    assert keys[bound.json()["prefix"]]["revoked_at"] is not None
    assert keys[kept.json()["prefix"]]["revoked_at"] is None
    assert (await c.get(f"/models/{other}/deployment", headers=eng)).json()["status"] == "healthy"
    assert any(e["status"] == "stopped" and e["name"] == name for e in await registry.outbox("deployment.updated"))


# ---- teams: each test is an attack from another team that used to work --------------------------------------------


def outsider(registry: Registry, *roles: str, subject: str) -> dict[str, str]:
    """A person of another team than the models' (test-team)."""
    return bearer(registry.settings, *roles, subject=subject, team="other-team")


async def denials(registry: Registry, actor: str) -> list[AuditRecord]:
    async with registry.app.state.tuneline.sessions() as s:
        stmt = sa.select(AuditRecord).where(AuditRecord.action == "access.denied", AuditRecord.actor == actor)
        return list((await s.execute(stmt)).scalars())


async def test_another_teams_people_can_neither_read_nor_change_a_model_its_versions_card_or_deployment(
    registry: Registry,
) -> None:
    name = await registry.model_with_versions(True, True)
    c, eng = registry.client, registry.as_("ml_engineer")
    assert (await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)).status_code == 200
    viewer = outsider(registry, "viewer", subject="vic")
    everyone = outsider(registry, "ml_engineer", "sre", "reviewer", subject="eve")

    reads = [
        f"/models/{name}",
        f"/models/{name}/versions",
        f"/models/{name}/versions/1",
        f"/models/{name}/versions/1/lineage",
        f"/models/{name}/versions/1/card",
        f"/models/{name}/deployment",
    ]
    for headers in (viewer, everyone):
        for path in reads:
            r = await c.get(path, headers=headers)
            assert r.status_code == 403, (path, r.text)
            assert "belongs to team 'test-team'" in r.json()["detail"]
    assert len(await denials(registry, "vic")) == len(reads)

    changes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", f"/models/{name}/deployment", {"version": 2, "canary_weight": 0.5}),
        ("PUT", f"/models/{name}/deployment/weight", {"canary_weight": 1.0}),
        ("POST", f"/models/{name}/deployment/promote", None),
        ("POST", f"/models/{name}/deployment/rollback", {"reason": "sabotage"}),
        ("POST", f"/models/{name}/deployment/blue-green", {"version": 2}),
        ("DELETE", f"/models/{name}/deployment", None),
        ("POST", f"/models/{name}/versions/2/transition", {"stage": "production"}),
        ("POST", f"/models/{name}/versions/2/review", {"approved": True}),
        ("PATCH", f"/models/{name}/versions/1/card", {"intended_use": "something else"}),
        ("PUT", f"/models/{name}/aliases/mine", {"version": 2}),
    ]
    for method, path, body in changes:
        r = await c.request(method, path, json=body, headers=everyone)
        assert r.status_code == 403, (method, path, r.text)
    recorded = await denials(registry, "eve")
    assert len(recorded) == len(reads) + len(changes)
    assert {d.details["team"] for d in recorded} == {"test-team"}
    assert "roll back" in {d.details["attempted"] for d in recorded}

    # nothing moved: the owning team's deployment serves version 1 alone, version 2 is still in staging
    assert arms(registry, name) == {"stable": (1, 1.0)}
    versions = (await c.get(f"/models/{name}/versions", headers=eng)).json()
    assert [v["stage"] for v in versions] == ["production", "staging"]

    # a key of the outsider's cannot reach the model either: it may only name its own team's models
    r = await c.post("/models/keys", json={"name": "steal", "models": [name]}, headers=everyone)
    assert r.status_code == 403, r.text
    r = await c.post("/models/keys", json={"name": "early", "models": ["classification-not-yet"]}, headers=everyone)
    assert r.status_code == 422 and r.json()["field"] == "models"


async def test_listings_show_the_callers_team_only_and_an_admin_every_team(registry: Registry) -> None:
    ours = await registry.model_with_versions(True)
    usecase = uuid4()
    theirs = f"classification-{usecase.hex[:8]}"
    await registry.evaluation(usecase, team="other-team")
    admin = registry.as_("admin")

    async def registered() -> bool:
        return (await registry.client.get(f"/models/{theirs}", headers=admin)).status_code == 200

    await eventually(registered, what="the other team's model registered")
    c, eng = registry.client, registry.as_("ml_engineer")
    for model in (ours, theirs):
        assert (await c.post(f"/models/{model}/deployment", json={"version": 1}, headers=admin)).status_code == 200

    def names(r: httpx.Response) -> set[str]:
        return {m["name"] for m in r.json()}

    def served_names(r: httpx.Response) -> set[str]:
        return {m["id"] for m in r.json()["data"]}

    mine = names(await c.get("/models?limit=500", headers=eng))
    assert ours in mine and theirs not in mine
    other = names(await c.get("/models?limit=500", headers=outsider(registry, "viewer", subject="olga")))
    assert theirs in other and ours not in other
    assert {ours, theirs} <= names(await c.get("/models?limit=500", headers=admin))
    assert (await c.get(f"/models/{theirs}", headers=admin)).json()["team"] == "other-team"

    # the OpenAI surface lists the served models the same way
    served = served_names(await c.get("/v1/models", headers=eng))
    assert ours in served and theirs not in served
    assert {ours, theirs} <= served_names(await c.get("/v1/models", headers=admin))

    # the owning team's people act on their own model as before
    r = await c.post(f"/models/{theirs}/deployment/rollback", json={"reason": "x"}, headers=eng)
    assert r.status_code == 403
    owner = outsider(registry, "ml_engineer", subject="otto")
    r = await c.get(f"/models/{theirs}/versions/1/card", headers=owner)
    assert r.status_code == 200 and r.text.startswith("---\n")
    assert (await c.delete(f"/models/{theirs}/deployment", headers=owner)).json()["status"] == "stopped"
    assert any(
        e["name"] == theirs and e["team"] == "other-team" and e["status"] == "stopped"
        for e in await registry.outbox("deployment.updated")
    )


async def test_a_model_from_before_teams_is_the_admins_alone_until_its_next_version_brings_the_team(
    registry: Registry,
) -> None:
    usecase = uuid4()
    name = f"classification-{usecase.hex[:8]}"
    await registry.evaluation(usecase, team=None)
    c, admin, eng = registry.client, registry.as_("admin"), registry.as_("ml_engineer")

    async def registered() -> bool:
        return (await c.get(f"/models/{name}", headers=admin)).status_code == 200

    await eventually(registered, what="the team-less model registered")
    r = await c.get(f"/models/{name}", headers=eng)
    assert r.status_code == 403 and "belongs to no team" in r.json()["detail"]
    assert name not in {m["name"] for m in (await c.get("/models?limit=500", headers=eng)).json()}

    await registry.evaluation(usecase)  # evaluation now carries the use case's team
    await registry.versions(name, 2)  # the team's viewer reads it: the model learnt its team
    registered_events = [e for e in await registry.outbox("model.registered") if e["name"] == name]
    assert [e["team"] for e in registered_events] == [None, "test-team"]


async def test_an_erased_dataset_archives_and_unserves_the_versions_trained_on_it(registry: Registry) -> None:
    """dataset.erased: the deployment serving a version trained on the erased data is stopped (the stop path), the
    version is archived with the reason and loses its adapter, the OpenAI file that became the data goes; another
    version is untouched; acknowledged once, naming the archived version; a late evaluation of it registers nothing."""
    from tuneline.common.db import transaction
    from tuneline.common.events import DATASET_ERASED, DatasetErased
    from tuneline.registry.openai_gateway.tables import OpenAIFileRow

    c, eng = registry.client, registry.as_("ml_engineer")
    state = registry.app.state.tuneline
    usecase, erased_version, kept_version, dataset_id = uuid4(), uuid4(), uuid4(), uuid4()
    name = f"classification-{usecase.hex[:8]}"
    await registry.evaluation(usecase, dataset_version_id=erased_version)
    await registry.evaluation(usecase, dataset_version_id=kept_version)
    v1, v2 = await registry.versions(name, 2)
    other = await registry.model_with_versions(True)  # another use case's model keeps serving
    for model in (name, other):
        assert (await c.post(f"/models/{model}/deployment", json={"version": 1}, headers=eng)).status_code == 200
    async with transaction(state.sessions) as session:
        session.add(
            OpenAIFileRow(
                id="file-erased",
                owner="ana",
                usecase_id=usecase,
                dataset_id=dataset_id,
                version_id=erased_version,
                version_number=1,
                filename="tickets.jsonl",
                purpose="fine-tune",
                bytes=7,
                status="processed",
                content_key="openai/files/file-erased",
            )
        )
    await state.store.put("openai/files/file-erased", b"planted")

    erased = DatasetErased(
        producer="data",
        usecase_id=usecase,
        erasure_id=uuid4(),
        dataset_id=dataset_id,
        version_ids=[erased_version],
        whole_dataset=False,
        requested_by="alice",
        reason="GDPR request",
    )
    await publish_now(state.broker, DATASET_ERASED, erased)

    async def acks() -> list[dict[str, Any]]:
        return [e for e in await registry.outbox("erasure.applied") if e["erasure_id"] == str(erased.erasure_id)]

    (ack,) = await eventually(acks, timeout_s=20, what="the registry's erasure.applied")
    assert ack["service"] == "registry" and ack["model_version_ids"] == [v1["id"]]
    assert ack["counts"] == {
        "model_versions": 1,
        "archived": 1,
        "deployments_stopped": 1,
        "canaries_removed": 0,
        "adapter_objects": 2,
        "export_objects": 0,
        "openai_files": 1,
        "dead_letters": 0,
    }
    versions = {v["version"]: v for v in (await c.get(f"/models/{name}/versions", headers=eng)).json()}
    assert versions[1]["stage"] == "archived" and versions[2]["stage"] == v2["stage"] != "archived"
    assert (await c.get(f"/models/{name}/deployment", headers=eng)).json()["status"] == "stopped"
    assert any(e["to_stage"] == "archived" and e["version"] == 1 for e in await registry.outbox("model.promoted"))
    assert await state.store.list(f"jobs/{v1['job_id']}/") == []
    assert len(await state.store.list(f"jobs/{v2['job_id']}/")) == 2
    assert not await state.store.exists("openai/files/file-erased")
    async with state.sessions() as session:
        assert await session.get(OpenAIFileRow, "file-erased") is None

    async def out_of_serving() -> bool:
        return all(app.name != name for app in registry.runtime.applied[-1])

    await eventually(out_of_serving, timeout_s=20, what="serving no longer runs the erased version")
    assert (await c.get(f"/models/{other}/deployment", headers=eng)).json()["status"] == "healthy"

    await publish_now(state.broker, DATASET_ERASED, erased.model_copy(update={"event_id": uuid4()}))
    await registry.evaluation(usecase, dataset_version_id=erased_version)
    await registry.evaluation(usecase, dataset_version_id=kept_version)
    await registry.versions(name, 3)  # the kept data's evaluation registers; the erased one's never does
    assert len(await registry.versions(name, 3)) == 3
    assert len(await acks()) == 1


async def test_an_erased_canary_leaves_its_stable_version_serving(registry: Registry) -> None:
    """dataset.erased that matches only the canary: the canary goes (archived, out of the router), the stable
    version keeps serving all traffic; the deployment is not stopped."""
    from tuneline.common.events import DATASET_ERASED, DatasetErased

    c, eng = registry.client, registry.as_("ml_engineer")
    state = registry.app.state.tuneline
    usecase, kept_version, erased_version = uuid4(), uuid4(), uuid4()
    name = f"classification-{usecase.hex[:8]}"
    await registry.evaluation(usecase, dataset_version_id=kept_version)
    await registry.evaluation(usecase, dataset_version_id=erased_version)
    _, v2 = await registry.versions(name, 2)
    assert (await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)).status_code == 200
    r = await c.post(f"/models/{name}/deployment", json={"version": 2, "canary_weight": 0.2}, headers=eng)
    assert r.status_code == 200, r.text
    assert arms(registry, name) == {"stable": (1, pytest.approx(0.8)), "canary": (2, 0.2)}

    erased = DatasetErased(
        producer="data",
        usecase_id=usecase,
        erasure_id=uuid4(),
        dataset_id=uuid4(),
        version_ids=[erased_version],
        whole_dataset=True,
        requested_by="alice",
        reason="GDPR request",
    )
    await publish_now(state.broker, DATASET_ERASED, erased)

    async def ack() -> list[dict[str, Any]]:
        return [e for e in await registry.outbox("erasure.applied") if e["erasure_id"] == str(erased.erasure_id)]

    (applied,) = await eventually(ack, timeout_s=20, what="the registry's erasure.applied")
    assert applied["model_version_ids"] == [v2["id"]]
    assert applied["counts"]["deployments_stopped"] == 0 and applied["counts"]["canaries_removed"] == 1
    deployment = (await c.get(f"/models/{name}/deployment", headers=eng)).json()
    assert deployment["status"] == "healthy" and deployment["canary_version"] is None, deployment

    async def stable_only() -> bool:
        return arms(registry, name) == {"stable": (1, 1.0)}

    await eventually(stable_only, timeout_s=20, what="the router serving the stable version alone")
    versions = {v["version"]: v["stage"] for v in (await c.get(f"/models/{name}/versions", headers=eng)).json()}
    assert versions[2] == "archived" and versions[1] != "archived"
