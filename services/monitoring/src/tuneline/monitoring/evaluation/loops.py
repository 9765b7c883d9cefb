"""The periodic work of the service: alert rules and canary guard, drift and retraining, raw-event retention.

Each `*_once` function is one complete pass in its own transaction(s), called by the loops and directly by tests.
Several replicas may run the loops: the partial unique index on open alerts and the per-use-case advisory lock
on retrain decisions keep their results single.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import structlog

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.monitoring.alerts import dispatch
from tuneline.monitoring.alerts import repository as alerts_repository
from tuneline.monitoring.alerts import service as alerts_service
from tuneline.monitoring.alerts.state import AlertTransition
from tuneline.monitoring.canary.guard import CanaryGuardConfig
from tuneline.monitoring.drift import service as drift_service
from tuneline.monitoring.drift.consumers import drift_tools
from tuneline.monitoring.drift.report import DriftReport
from tuneline.monitoring.models import service as models_service
from tuneline.monitoring.quality import repository as quality_repository
from tuneline.monitoring.quality import service as quality_service
from tuneline.monitoring.quality.bucket import TrendDirection
from tuneline.monitoring.retraining import service as retraining_service
from tuneline.monitoring.retraining.policy import RetrainTrigger
from tuneline.monitoring.rollups import metrics
from tuneline.monitoring.rollups import repository as rollup_repository
from tuneline.monitoring.rollups import service as rollup_service
from tuneline.monitoring.rollups.rollup import RollupKey
from tuneline.monitoring.settings import MonitoringSettings

log = structlog.get_logger(__name__)
TASKS_KEY = "monitoring_loops"


def _settings(state: AppState) -> MonitoringSettings:
    assert isinstance(state.settings, MonitoringSettings)
    return state.settings


async def alerts_once(state: AppState, now: datetime | None = None) -> list[AlertTransition]:
    settings = _settings(state)
    now = now or datetime.now(UTC)
    canary_config = CanaryGuardConfig(min_requests_per_arm=settings.canary_min_requests)
    async with transaction(state.sessions) as session:
        models = await models_service.all_models(session)
        transitions = await alerts_service.evaluate_rules(session, now, settings.service_name)
        transitions += await alerts_service.guard_canaries(
            session,
            models,
            now,
            timedelta(minutes=settings.canary_window_minutes),
            canary_config,
            settings.service_name,
        )
        start = now - timedelta(minutes=settings.current_window_minutes)
        figures = rollup_service.current(await rollup_repository.load_rollups(session, start, now), start, now)
        open_counts = await alerts_repository.open_counts_by_severity(session)
        day = now - timedelta(days=1)
        quality = quality_service.per_key(await quality_repository.load_buckets(session, day, now), day, now)
    metrics.set_current(figures, settings.current_window_minutes * 60)
    metrics.set_quality(quality)
    for severity in ("low", "medium", "high", "critical"):
        metrics.OPEN_ALERTS.labels(severity).set(open_counts.get(severity, 0))
    await dispatch.notify(transitions, settings)
    return transitions


async def drift_once(state: AppState, now: datetime | None = None) -> list[DriftReport]:
    """Drift per served model, then the retraining policy for drift or degrading quality."""
    settings = _settings(state)
    now = now or datetime.now(UTC)
    embedder, config = drift_tools(state)
    reports: list[DriftReport] = []
    async with state.sessions() as session:
        models = await models_service.all_models(session)
    for model in models:
        async with transaction(state.sessions) as session:
            report = await drift_service.evaluate_model(
                session,
                model,
                now,
                timedelta(hours=settings.drift_window_hours),
                embedder,
                config,
                settings.service_name,
            )
            trigger, detail = None, ""
            if report is not None:
                reports.append(report)
                for check in report.checks:
                    metrics.DRIFT.labels(model.model_name, report.version, check.name.value).set(int(check.drifted))
                if report.drifted:
                    trigger, detail = RetrainTrigger.DRIFT, ", ".join(n.value for n in report.drifted_checks)
            if trigger is None and model.stable_version is not None:
                trend = await quality_service.trend_for(
                    session, RollupKey(model.model_name, model.stable_version, "stable"), now
                )
                if trend.direction is TrendDirection.DEGRADING:
                    trigger = RetrainTrigger.QUALITY_DEGRADATION
                    detail = f"{trend.metric} {trend.earlier:.1%} -> {trend.recent:.1%}"
            if trigger is not None:
                decision = await retraining_service.consider_retrain(
                    session,
                    usecase_id=model.usecase_id,
                    model_name=model.model_name,
                    deployed_at=model.deployed_at,
                    trigger=trigger,
                    detail=detail,
                    now=now,
                    producer=settings.service_name,
                )
                log.info("monitoring.retrain.decided", model=model.model_name, action=decision.action.value)
    return reports


async def retention_once(state: AppState, now: datetime | None = None) -> int:
    settings = _settings(state)
    cutoff = (now or datetime.now(UTC)) - timedelta(hours=settings.raw_retention_hours)
    async with transaction(state.sessions) as session:
        return await rollup_repository.purge_events_before(session, cutoff)


async def _every(interval_s: float, name: str, work: Callable[[], Awaitable[object]]) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await work()
        except Exception as error:  # a failed pass is retried next interval; the loop must not die
            log.error("monitoring.loop.failed", loop=name, error=f"{type(error).__name__}: {error}", exc_info=True)


def start_loops(state: AppState) -> None:
    settings = _settings(state)
    if not settings.run_background_loops:
        return
    state.extras[TASKS_KEY] = [
        asyncio.create_task(_every(settings.evaluation_interval_s, "alerts", lambda: alerts_once(state))),
        asyncio.create_task(_every(settings.drift_interval_s, "drift", lambda: drift_once(state))),
        asyncio.create_task(_every(3600.0, "retention", lambda: retention_once(state))),
    ]


async def stop_loops(state: AppState) -> None:
    for task in state.extras.pop(TASKS_KEY, []):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
