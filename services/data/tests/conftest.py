"""Helpers for the data service's integration tests: an app on the real infrastructure, approved use cases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tuneline.common.app import AppState
from tuneline.common.db import AuditRecord, OutboxRecord, transaction
from tuneline.common.events import DataSensitivity, UseCaseApproved, UseCasePolicy
from tuneline.common.testing.helpers import TEST_TEAM, bearer, running_app
from tuneline.data.app import create_app
from tuneline.data.settings import DataSettings
from tuneline.data.usecases.service import record_approval


@dataclass
class DataService:
    client: httpx.AsyncClient
    state: AppState
    settings: DataSettings

    def auth(self, *roles: str, subject: str = "alice", team: str | None = TEST_TEAM) -> dict[str, str]:
        return bearer(self.settings, *roles, subject=subject, team=team)

    async def approve(
        self,
        *,
        task_type: str = "classification",
        labels: list[str] | None = None,
        sensitivity: dict[str, bool] | None = None,
        policy: dict[str, Any] | None = None,
    ) -> uuid.UUID:
        event = approval(task_type=task_type, labels=labels, sensitivity=sensitivity, policy=policy)
        async with transaction(self.state.sessions) as session:
            await record_approval(session, event)
        return event.usecase_id

    async def create_dataset(self, usecase_id: uuid.UUID, *, subject: str = "alice") -> str:
        r = await self.client.post(
            "/datasets",
            json={"usecase_id": str(usecase_id), "name": "tickets"},
            headers=self.auth("data_owner", subject=subject),
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def upload(
        self, dataset_id: str, name: str, data: bytes, *, subject: str = "alice", team: str = TEST_TEAM, **form: str
    ) -> httpx.Response:
        return await self.client.post(
            f"/datasets/{dataset_id}/versions",
            files={"file": (name, data)},
            data=form,
            headers=self.auth("data_owner", subject=subject, team=team),
        )

    async def outbox(self, topic: str, dataset_id: str) -> list[dict[str, Any]]:
        import json

        async with self.state.sessions() as session:
            rows = (await session.execute(sa.select(OutboxRecord).where(OutboxRecord.topic == topic))).scalars().all()
        payloads = [json.loads(row.payload) for row in rows]
        return [p for p in payloads if p.get("dataset_id") == dataset_id]

    async def audit_actions(self, dataset_id: str) -> list[str]:
        async with self.state.sessions() as session:
            stmt = sa.select(AuditRecord).where(AuditRecord.resource_id == dataset_id).order_by(AuditRecord.occurred_at)
            return [row.action for row in (await session.execute(stmt)).scalars().all()]


def approval(
    *,
    task_type: str = "classification",
    labels: list[str] | None = None,
    sensitivity: dict[str, bool] | None = None,
    policy: dict[str, Any] | None = None,
) -> UseCaseApproved:
    return UseCaseApproved(
        producer="intake",
        usecase_id=uuid.uuid4(),
        title="Classify maintenance tickets",
        industry="manufacturing",
        task_type=task_type,  # type: ignore[arg-type]
        base_model="test-model-without-tokenizer",
        method="lora",
        sensitivity=DataSensitivity(**(sensitivity or {})),
        policy=UseCasePolicy(**{"min_quality_score": 50.0, **(policy or {})}),
        labels=labels or [],
        approved_by="reviewer-1",
        team=TEST_TEAM,
    )


@pytest.fixture
def data_service(make_settings: Callable[..., Any]) -> Callable[..., Any]:
    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[DataService]:
        settings = make_settings(DataSettings, pii_engine="regex", **overrides)
        app = create_app(settings)
        async with running_app(app) as client:
            yield DataService(client=client, state=app.state.tuneline, settings=settings)

    return start
