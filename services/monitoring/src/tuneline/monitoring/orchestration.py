"""Monitoring's cross-domain sequences: the periodic passes over roll-ups, quality, alerts, drift and retraining.

Domains import only downward and never this module; entrypoints/loops.py runs these passes on a timer.
- alerts: rule evaluation and the canary guard over roll-ups and quality, then notifications and gauges
- drift → alert: a drifted report raises an "Input drift" alert for the served version, a clean one resolves it
- drift/quality → retrain: drift per served model, else the quality trend, through the retraining policy
- the schedule → retrain: a policy with `schedule_every_seconds` gets a retrain request every period
- retention of raw inference events

Each `*_once` function is one complete pass in its own transaction(s), called by the loops and directly by tests.
Several replicas may run the loops: the partial unique index on open alerts and the per-use-case advisory lock
on retrain decisions keep their results single.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.monitoring.alerts import dispatch
from tuneline.monitoring.alerts import repository as alerts_repository
from tuneline.monitoring.alerts import service as alerts_service
from tuneline.monitoring.alerts.state import AlertTransition
from tuneline.monitoring.canary.guard import CanaryGuardConfig
from tuneline.monitoring.context import monitoring_context
from tuneline.monitoring.drift import service as drift_service
from tuneline.monitoring.drift.report import DriftReport
from tuneline.monitoring.models import service as models_service
from tuneline.monitoring.quality import metrics as quality_metrics
from tuneline.monitoring.quality import repository as quality_repository
from tuneline.monitoring.quality import service as quality_service
from tuneline.monitoring.quality.bucket import TrendDirection
from tuneline.monitoring.retraining import service as retraining_service
from tuneline.monitoring.retraining.policy import RetrainDecision, RetrainTrigger
from tuneline.monitoring.rollups import metrics
from tuneline.monitoring.rollups import repository as rollup_repository
from tuneline.monitoring.rollups import service as rollup_service
from tuneline.monitoring.rollups.rollup import RollupKey
from tuneline.monitoring.settings import MonitoringSettings

log = structlog.get_logger(__name__)


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
    quality_metrics.set_quality(quality)
    for severity in ("low", "medium", "high", "critical"):
        metrics.OPEN_ALERTS.labels(severity).set(open_counts.get(severity, 0))
    await dispatch.notify(transitions, settings)
    return transitions


async def drift_once(state: AppState, now: datetime | None = None) -> list[DriftReport]:
    """Drift per served model (an alert while it drifts), then the retraining policy for drift or degrading
    quality."""
    settings = _settings(state)
    now = now or datetime.now(UTC)
    context = monitoring_context(state)
    embedder, config = context.embedder, context.drift_config
    reports: list[DriftReport] = []
    transitions: list[AlertTransition] = []
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
                key = RollupKey(model.model_name, report.version, "stable")
                drifted = [name.value for name in report.drifted_checks]
                transition = await alerts_service.signal_drift(
                    session, key, drifted, report.to_dict(), now, settings.service_name
                )
                if transition is not None:
                    transitions.append(transition)
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
    await dispatch.notify(transitions, settings)
    return reports


async def schedule_once(state: AppState, now: datetime | None = None) -> list[RetrainDecision]:
    """Periodic retraining: for each use case whose policy's period has run out, one retrain decision (rate limits
    and the dataset rule apply as for drift) for the model that serves it."""
    settings = _settings(state)
    now = now or datetime.now(UTC)
    async with state.sessions() as session:
        usecases = await retraining_service.scheduled_usecases(session)
    decisions: list[RetrainDecision] = []
    for usecase_id in usecases:
        async with transaction(state.sessions) as session:
            policy = await retraining_service.schedule_due_now(session, usecase_id, now)
            served = [m for m in await models_service.models_of_usecase(session, usecase_id) if m.stable_version]
            if policy is None or policy.schedule_every is None or not served:
                continue
            decision = await retraining_service.consider_retrain(
                session,
                usecase_id=usecase_id,
                model_name=served[0].model_name,
                deployed_at=served[0].deployed_at,
                trigger=RetrainTrigger.SCHEDULE,
                detail=f"every {policy.schedule_every}",
                now=now,
                producer=settings.service_name,
            )
            decisions.append(decision)
            log.info("monitoring.retrain.scheduled", usecase_id=str(usecase_id), action=decision.action.value)
    return decisions


async def retention_once(state: AppState, now: datetime | None = None) -> int:
    settings = _settings(state)
    cutoff = (now or datetime.now(UTC)) - timedelta(hours=settings.raw_retention_hours)
    async with transaction(state.sessions) as session:
        return await rollup_repository.purge_events_before(session, cutoff)
