"""The registry service against real PostgreSQL and Kafka (Ray Serve replaced by the in-memory FakeRuntime)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from fastapi import FastAPI

from tuneline.common.db import OutboxRecord
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
from tuneline.common.testing.helpers import bearer, eventually, running_app
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

    async def evaluation(self, usecase_id: UUID, *, passed: bool = True, **extra: Any) -> EvaluationCompleted:
        job_id = uuid4()
        event = EvaluationCompleted(
            producer="evaluation",
            usecase_id=usecase_id,
            evaluation_id=uuid4(),
            job_id=job_id,
            dataset_version_id=uuid4(),
            task_type="classification",
            base_model="tiny-base",
            adapter_uri=self.adapter(job_id),
            passed=passed,
            reasons=["accuracy 0.97 >= 0.9"] if passed else ["general perplexity rose 2.2x"],
            metrics_base={"accuracy": 0.1},
            metrics_tuned={"accuracy": 0.97},
            forgetting={"general_perplexity_ratio": 1.1},
            hyperparameters={"learning_rate": 0.0005, "lora_r": 16},
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
    )
    app = create_app(settings, runtime=fake_runtime)
    async with running_app(app) as client:
        yield Registry(app, client, settings, fake_runtime, root / "objects")


def arms(registry: Registry, name: str) -> dict[str, tuple[int, float]]:
    return {a.arm: (a.version, a.weight) for a in registry.runtime.current(name).router.arms}


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
    assert lineage["adapter_uri"] == event.adapter_uri and lineage["base_model"] == "tiny-base"
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
    await c.patch(f"/models/{keep}/policy", json={"auto_rollback": False}, headers=eng)
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
    (spec,) = [k for k in registry.runtime.current(name).router.keys if k.prefix == prefix]
    assert spec.revoked
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
