"""Every service's app against the run's PostgreSQL and Kafka, with one object of each kind seeded for team "alpha".

Shared by the authorisation matrix and the API fuzz test (both load this file by its path: test modules are imported
in importlib mode, with no package and no sys.path entry). Requests go through httpx's ASGI transport.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from tuneline.common.auth import Role, mint_token
from tuneline.common.db import transaction
from tuneline.common.settings import ServiceSettings
from tuneline.common.testing.helpers import running_app

TEAM, OTHER_TEAM = "alpha", "beta"
OWNER = "alice"  # who created alpha's objects
CALLER = "casey"  # everyone else
UNKNOWN_ROLE = "wizard"
REQUEST_TIMEOUT_S = 30


# ------------------------------------------------------------------------------------------------- the services


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings
    ids: dict[str, str] = field(default_factory=dict)
    routes: set[tuple[str, str]] = field(default_factory=set)
    #: Puts back what a granted DELETE removed, so the cases after it meet the same objects (None: nothing to do).
    restore: Callable[[], Awaitable[None]] | None = None

    def token(self, role: Role | str | None, team: str | None, subject: str = CALLER) -> dict[str, str]:
        if role is None:
            return {}
        roles = [] if role == UNKNOWN_ROLE else [str(role)]
        extra = {"roles": [UNKNOWN_ROLE]} if role == UNKNOWN_ROLE else None
        return {"Authorization": f"Bearer {mint_token(self.settings, subject, roles, team=team, extra=extra)}"}

    async def call(
        self, method: str, path: str, rule: Any, role: Role | str | None, team: str | None, subject: str = CALLER
    ) -> httpx.Response:
        url = path.format(**self.ids)
        kwargs = rule.body(self.ids) if rule.body else {}
        request = self.client.request(method, url, headers=self.token(role, team, subject), **kwargs)
        return await asyncio.wait_for(request, REQUEST_TIMEOUT_S)


def _settings(cls: type[ServiceSettings], name: str, base: dict[str, Any], **overrides: Any) -> Any:
    return cls(**{**base, "service_name": f"matrix_{name}", **overrides})


async def _intake(base: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from tuneline.intake.app import create_app
    from tuneline.intake.settings import IntakeSettings

    settings = _settings(IntakeSettings, "intake", base)
    return create_app(settings), settings


async def _data(base: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from tuneline.data.app import create_app
    from tuneline.data.settings import DataSettings

    settings = _settings(DataSettings, "data", base, pii_engine="regex")
    return create_app(settings), settings


async def _training(base: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from tuneline.training.app import create_app
    from tuneline.training.settings import TrainingSettings

    settings = _settings(TrainingSettings, "training", base)
    return create_app(settings), settings


async def _evaluation(base: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from tuneline.evaluation.app import create_app
    from tuneline.evaluation.settings import EvaluationSettings

    settings = _settings(EvaluationSettings, "evaluation", base)
    return create_app(settings), settings


async def _registry(base: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from tuneline.registry.app import create_app
    from tuneline.registry.settings import RegistrySettings

    settings = _settings(RegistrySettings, "registry", base, serving_backend="none")
    # The gateway's calls to intake, data and training answer 503 here: the matrix asks only who gets that far.
    upstream = httpx.MockTransport(lambda request: httpx.Response(503, json={"detail": "not part of the matrix"}))
    return create_app(settings, upstream_transport=upstream), settings


async def _monitoring(base: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from tuneline.monitoring.app import create_app
    from tuneline.monitoring.settings import MonitoringSettings

    settings = _settings(MonitoringSettings, "monitoring", base)
    return create_app(settings), settings


BUILDERS: dict[str, Callable[[dict[str, Any]], Awaitable[tuple[FastAPI, ServiceSettings]]]] = {
    "intake": _intake,
    "data": _data,
    "training": _training,
    "evaluation": _evaluation,
    "registry": _registry,
    "monitoring": _monitoring,
}


# ------------------------------------------------------------------------------------- alpha's objects, per service


def _expect(response: httpx.Response, status: int, what: str) -> Any:
    assert response.status_code == status, f"seeding {what}: {response.status_code} {response.text}"
    return response.json()


async def _seed_intake(svc: Service) -> None:
    headers = svc.token(Role.DATA_OWNER, TEAM, OWNER)
    created = await svc.client.post("/usecases", json={"title": "Matrix use case"}, headers=headers)
    svc.ids["usecase_id"] = _expect(created, 201, "a use case")["id"]


def _tickets(n: int) -> bytes:
    rows = [
        {
            "text": f"pump {i} leaks oil near seal {i * 7} on line {i % 3}",
            "label": "hydraulic" if i % 2 else "electrical",
        }
        for i in range(n)
    ]
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


async def _seed_data(svc: Service) -> None:
    from tuneline.common.events import UseCaseApproved, UseCasePolicy
    from tuneline.data.usecases.service import record_approval

    approved = UseCaseApproved(
        producer="intake",
        usecase_id=uuid.uuid4(),
        title="Matrix use case",
        industry="manufacturing",
        task_type="classification",
        base_model="test-model-without-tokenizer",
        method="lora",
        policy=UseCasePolicy(min_quality_score=0.0),
        approved_by="reviewer-1",
        team=TEAM,
    )
    async with transaction(svc.app.state.tuneline.sessions) as session:
        await record_approval(session, approved)
    svc.ids["usecase_id"] = str(approved.usecase_id)
    owner = svc.token(Role.DATA_OWNER, TEAM, OWNER)
    created = await svc.client.post(
        "/datasets", json={"usecase_id": svc.ids["usecase_id"], "name": "matrix"}, headers=owner
    )
    svc.ids["dataset_id"] = dataset_id = _expect(created, 201, "a dataset")["id"]
    uploaded = await svc.client.post(
        f"/datasets/{dataset_id}/versions", files={"file": ("tickets.jsonl", _tickets(20))}, headers=owner
    )
    svc.ids["number"] = str(_expect(uploaded, 201, "a version")["version"]["number"])
    started = await svc.client.post(f"/datasets/{dataset_id}/uploads", json={"filename": "more.jsonl"}, headers=owner)
    svc.ids["upload_id"] = _expect(started, 201, "an upload")["id"]


async def _seed_training(svc: Service) -> None:
    from tuneline.common.events import DatasetReady, TokenStats, UseCaseApproved
    from tuneline.training.jobs import service

    state = svc.app.state.tuneline
    usecase_id, version_id = uuid.uuid4(), uuid.uuid4()
    approved = UseCaseApproved(
        producer="intake",
        usecase_id=usecase_id,
        title="Matrix use case",
        industry="manufacturing",
        task_type="classification",
        base_model="smollm2-135m-instruct",
        method="lora",
        approved_by="reviewer-1",
        team=TEAM,
    )
    ready = DatasetReady(
        producer="data",
        usecase_id=usecase_id,
        dataset_id=uuid.uuid4(),
        version_id=version_id,
        version_number=1,
        content_hash="sha256:matrix",
        record_format="classification",
        split_uris={"train": "file:///matrix/train.jsonl", "validation": "file:///matrix/validation.jsonl"},
        record_counts={"train": 16, "validation": 4},
        token_stats=TokenStats(total=800, mean=40.0, p95=60.0, max=80, tokenizer="simple"),
        fields=["text", "label"],
        labels=["electrical", "hydraulic"],
        quality_score=90.0,
    )
    async with transaction(state.sessions) as session:
        await service.record_usecase(session, approved, state.settings)
        await service.record_dataset_ready(session, ready, state.settings)
    svc.ids["dataset_version_id"] = str(version_id)
    engineer = svc.token(Role.ML_ENGINEER, TEAM, OWNER)
    created = await svc.client.post("/jobs", json={"dataset_version_id": str(version_id)}, headers=engineer)
    svc.ids["job_id"] = job_id = _expect(created, 201, "a job")["id"]
    # A finished job: its live stream ends at once, and steering it is a 409 (not an access question).
    _expect(await svc.client.post(f"/jobs/{job_id}/cancel", headers=engineer), 200, "a cancelled job")
    study = {
        "dataset_version_id": str(version_id),
        "search_space": {"learning_rate": {"low": 1e-4, "high": 1e-3}},
        "n_trials": 1,
    }
    created = await svc.client.post("/studies", json=study, headers=engineer)
    svc.ids["study_id"] = study_id = _expect(created, 201, "a study")["id"]
    _expect(await svc.client.post(f"/studies/{study_id}/cancel", headers=engineer), 200, "a cancelled study")


async def _seed_evaluation(svc: Service) -> None:
    from tuneline.evaluation.evaluations.tables import EvaluationRun

    run = EvaluationRun(
        usecase_id=uuid.uuid4(),
        team=TEAM,
        job_id=uuid.uuid4(),
        dataset_version_id=uuid.uuid4(),
        task_type="classification",
        base_model="smollm2-135m-instruct",
        adapter_uri="file:///matrix/adapter",
        status="completed",
    )
    async with transaction(svc.app.state.tuneline.sessions) as session:
        session.add(run)
    svc.ids["evaluation_id"] = str(run.id)


async def _seed_registry(svc: Service) -> None:
    from tuneline.common.events import EvaluationCompleted
    from tuneline.registry.models import service

    # A model of alpha's use case with its version 1, as evaluation.completed registers it.
    evaluated = EvaluationCompleted(
        producer="evaluation",
        usecase_id=uuid.uuid4(),
        evaluation_id=uuid.uuid4(),
        job_id=uuid.uuid4(),
        dataset_version_id=uuid.uuid4(),
        task_type="classification",
        base_model="smollm2-135m-instruct",
        adapter_uri="file:///matrix/adapter",
        passed=True,
        reasons=["accuracy 0.9 >= 0.8"],
        metrics_base={"accuracy": 0.5},
        metrics_tuned={"accuracy": 0.9},
        team=TEAM,
    )
    async with transaction(svc.app.state.tuneline.sessions) as session:
        loaded = await service.register_from_evaluation(session, evaluated, "registry")
    name = loaded.row.name
    svc.ids.update(name=name, version="1", alias="champion", file_id="file-matrix", job_id="ftjob-matrix")
    engineer = svc.token(Role.ML_ENGINEER, TEAM, OWNER)
    created = await svc.client.post("/models/keys", json={"name": "matrix", "models": [name]}, headers=engineer)
    svc.ids["prefix"] = _expect(created, 201, "a key")["prefix"]
    exported = await svc.client.post(f"/models/{name}/versions/1/exports", json={"format": "merged"}, headers=engineer)
    svc.ids["export_id"] = _expect(exported, 202, "an export")["id"]
    # Serving is off here ("none"): the deployment is stored as refused (409), and the deployment routes meet it.
    deployed = await svc.client.post(f"/models/{name}/deployment", json={"version": 1}, headers=engineer)
    _expect(deployed, 409, "a deployment")


async def _seed_monitoring(svc: Service) -> None:
    from tuneline.common.events import DeploymentUpdated, utcnow
    from tuneline.monitoring.alerts.tables import AlertRow, AlertRuleRow
    from tuneline.monitoring.drift.tables import DriftReportRow
    from tuneline.monitoring.models import service
    from tuneline.monitoring.rollups.tables import InferenceEventRow

    # A model of alpha serving a version, as deployment.updated tells monitoring; a served request, an alert rule,
    # an alert and a drift report of it.
    deployed = DeploymentUpdated(
        producer="registry",
        usecase_id=uuid.uuid4(),
        model_id=uuid.uuid4(),
        deployment_id=uuid.uuid4(),
        name="matrix-model",
        stable_version_id=uuid.uuid4(),
        status="healthy",
        canary_weight=0.0,
        team=TEAM,
    )
    model, version, now = deployed.name, str(deployed.stable_version_id), utcnow()
    served = InferenceEventRow(
        event_id=uuid.uuid4(),
        request_id="matrix-request",
        model_name=model,
        version=version,
        arm="stable",
        usecase_id=deployed.usecase_id,
        status="ok",
        latency_ms=12.0,
        tokens_in=4,
        tokens_out=2,
        occurred_at=now,
    )
    rule = {
        "id": uuid.uuid4(),
        "name": "matrix",
        "metric": "error_rate",
        "comparator": ">",
        "threshold": 0.5,
        "window_seconds": 300,
        "severity": "low",
        "model_name": model,
        "created_by": OWNER,
    }
    alert = AlertRow(
        fingerprint="matrix",
        source="rule",
        title="Matrix alert",
        severity="low",
        model_name=model,
        version=version,
        arm="stable",
        state="firing",
        message="the matrix asks",
        fired_at=now,
        last_seen_at=now,
    )
    report = DriftReportRow(
        model_name=model,
        version=version,
        usecase_id=deployed.usecase_id,
        window_start=now,
        window_end=now,
        drifted=False,
    )
    async with transaction(svc.app.state.tuneline.sessions) as session:
        await service.record_deployment(session, deployed)
        session.add_all([served, AlertRuleRow(**rule), alert, report])
    svc.ids.update(
        model=model,
        usecase_id=str(deployed.usecase_id),
        request_id=served.request_id,
        rule_id=str(rule["id"]),
        alert_id=str(alert.id),
        report_id=str(report.id),
    )

    async def put_the_rule_back() -> None:  # DELETE /alerts/rules/{rule_id} deletes it
        async with transaction(svc.app.state.tuneline.sessions) as session:
            if await session.get(AlertRuleRow, rule["id"]) is None:
                session.add(AlertRuleRow(**rule))

    svc.restore = put_the_rule_back


SEEDERS: dict[str, Callable[[Service], Awaitable[None]]] = {
    "intake": _seed_intake,
    "data": _seed_data,
    "training": _seed_training,
    "evaluation": _seed_evaluation,
    "registry": _seed_registry,
    "monitoring": _seed_monitoring,
}


class Services:
    """Each service's app, started (and its objects seeded) the first time a test asks for it."""

    def __init__(self, base: dict[str, Any], stack: AsyncExitStack) -> None:
        self.base = base
        self.stack = stack
        self.started: dict[str, Service] = {}
        self.failed: dict[str, str] = {}

    async def get(self, name: str) -> Service:
        if name in self.failed:
            pytest.fail(f"{name} did not start: {self.failed[name]}")
        if name not in self.started:
            try:
                app, settings = await BUILDERS[name](self.base)
                client = await self.stack.enter_async_context(running_app(app))
                svc = Service(app, client, settings, ids={"letter_id": str(uuid.uuid4())}, routes=served_routes(app))
                await SEEDERS[name](svc)
            except BaseException as exc:
                self.failed[name] = f"{type(exc).__name__}: {exc}"
                raise
            self.started[name] = svc
        return self.started[name]


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if context.path is not None
        for method in getattr(context.original_route, "methods", None) or ()
        if method != "HEAD"
    }


@asynccontextmanager
async def seeded_services(database_url: str, kafka_bootstrap: str, objects: Path) -> AsyncIterator[Services]:
    """The services of one test module: each app starts (and is seeded) the first time a test asks for it."""
    base = {
        "environment": "test",
        "database_url": database_url,
        "kafka_bootstrap_servers": kafka_bootstrap,
        "kafka_session_timeout_ms": 2000,  # joining a consumer group takes about half of it
        # The tests wait for no event: consumers and relays poll slowly (six apps polling every few milliseconds
        # took much of a small machine).
        "kafka_fetch_max_wait_ms": 1000,
        "outbox_poll_interval_s": 5.0,
        "object_store_url": objects.as_uri(),
    }
    async with AsyncExitStack() as stack:
        yield Services(base, stack)
