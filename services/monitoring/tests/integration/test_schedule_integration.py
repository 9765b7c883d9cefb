"""Periodic retraining: a policy's `schedule_every_seconds` leads to one retrain.requested per period, counted from
stored decisions so that a restart neither repeats nor skips one, and the service's own loop sends them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord, transaction
from tuneline.common.events import DeploymentUpdated
from tuneline.common.testing.helpers import eventually, running_app
from tuneline.monitoring.app import create_app
from tuneline.monitoring.models import service as models_service
from tuneline.monitoring.orchestration import schedule_once
from tuneline.monitoring.retraining import repository
from tuneline.monitoring.retraining.tables import RetrainPolicyRow
from tuneline.monitoring.settings import MonitoringSettings

pytestmark = pytest.mark.integration


async def serve_usecase(state, usecase: UUID, every_s: int, set_at: datetime) -> str:
    model = f"sched-{uuid4().hex[:8]}"
    async with transaction(state.sessions) as session:
        await models_service.record_deployment(
            session,
            DeploymentUpdated(
                producer="registry",
                usecase_id=usecase,
                model_id=uuid4(),
                deployment_id=uuid4(),
                name=model,
                stable_version_id=uuid4(),
                canary_weight=0.0,
                status="healthy",
                occurred_at=set_at,
            ),
        )
        policy = RetrainPolicyRow(
            usecase_id=usecase, cooldown_seconds=0, max_actions=100, schedule_every_seconds=every_s, updated_by="t"
        )
        policy.updated_at = set_at
        await repository.add(session, policy)
    return model


async def requested(state, usecase: UUID) -> list[dict]:
    async with state.sessions() as session:
        stmt = sa.select(OutboxRecord).where(OutboxRecord.topic == "retrain.requested")
        payloads = [json.loads(r.payload) for r in (await session.execute(stmt)).scalars()]
    return [p for p in payloads if p["usecase_id"] == str(usecase)]


async def test_a_scheduled_policy_requests_one_retrain_per_period_also_across_a_restart(make_settings) -> None:
    settings = make_settings(MonitoringSettings, run_background_loops=False)
    usecase, t0, period = uuid4(), datetime.now(UTC) - timedelta(days=1), 3600
    app = create_app(settings)
    async with running_app(app):
        state = app.state.tuneline
        model = await serve_usecase(state, usecase, period, t0)
        assert await schedule_once(state, t0 + timedelta(seconds=period - 1)) == []  # not due yet
        assert [d.trigger.value for d in await schedule_once(state, t0 + timedelta(seconds=period))] == ["schedule"]
        assert [r["model_name"] for r in await requested(state, usecase)] == [model]

    restarted = create_app(settings)  # the period is counted from the stored decision, not from process memory
    async with running_app(restarted):
        state = restarted.state.tuneline
        assert await schedule_once(state, t0 + timedelta(seconds=period + 1)) == []
        assert len(await requested(state, usecase)) == 1
        assert len(await schedule_once(state, t0 + timedelta(seconds=2 * period))) == 1
        assert len(await requested(state, usecase)) == 2


async def test_the_service_loop_sends_scheduled_retrain_requests_on_its_own(make_settings) -> None:
    settings = make_settings(MonitoringSettings, run_background_loops=True, schedule_interval_s=0.2)
    app = create_app(settings)
    usecase = uuid4()
    async with running_app(app):
        state = app.state.tuneline
        await serve_usecase(state, usecase, every_s=1, set_at=datetime.now(UTC) - timedelta(seconds=5))

        async def sent() -> bool:
            return len(await requested(state, usecase)) >= 2

        await eventually(sent, timeout_s=30, what="two periodic retrain requests")
