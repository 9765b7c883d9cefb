"""Alert rules CRUD, rule evaluation on roll-ups, the canary guard, input drift, acknowledge/resolve.

A newly raised alert is published as alert.raised through the outbox in the same transaction that stores it;
a canary alert carries action "rollback_canary" for the registry, a drift alert "none" (drift asks a person to look
and the retraining policy to decide; it is no reason to roll anything back). Notifications go out after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.errors import IllegalTransition, InvalidInput, NotFound
from tuneline.common.events import ALERT_RAISED, AlertRaised, utcnow
from tuneline.common.messaging import add_event
from tuneline.monitoring.alerts import repository
from tuneline.monitoring.alerts.rules import (
    AlertRule,
    Metric,
    MetricReading,
    Severity,
    evaluate_rule,
    readings_from_quality,
    readings_from_summary,
)
from tuneline.monitoring.alerts.state import (
    Alert,
    AlertState,
    AlertTransition,
    InvalidTransition,
    TransitionKind,
    apply_outcome,
    fingerprint,
    open_alert,
)
from tuneline.monitoring.alerts.tables import AlertRow, AlertRuleRow
from tuneline.monitoring.canary.guard import CanaryAction, CanaryGuardConfig, evaluate_canary
from tuneline.monitoring.models import repository as models_repository
from tuneline.monitoring.models.tables import MonitoredModelRow
from tuneline.monitoring.quality import repository as quality_repository
from tuneline.monitoring.quality import service as quality_service
from tuneline.monitoring.rollups import repository as rollup_repository
from tuneline.monitoring.rollups import service as rollup_service
from tuneline.monitoring.rollups.rollup import Rollup, RollupKey, merge_window

CANARY_SOURCE = "canary-guard"
DRIFT_SOURCE = "drift"
EVENT_SEVERITY = {
    Severity.LOW: "info",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "critical",
    Severity.CRITICAL: "critical",
}
RULE_FIELDS = (
    "name",
    "metric",
    "comparator",
    "threshold",
    "window_seconds",
    "severity",
    "min_samples",
    "model_name",
    "version",
    "arm",
    "enabled",
)


def validate_rule(row: AlertRuleRow) -> AlertRule:
    try:
        return repository.rule_of(row)
    except ValueError as error:
        field = str(error).split(":", 1)[0]
        raise InvalidInput(str(error), field={"window": "window_seconds"}.get(field, field)) from error


async def create_rule(session: AsyncSession, fields: dict[str, Any], by: str) -> AlertRuleRow:
    row = AlertRuleRow(**fields, created_by=by)
    validate_rule(row)
    session.add(row)
    await session.flush()
    return row


async def get_rule(session: AsyncSession, rule_id: UUID) -> AlertRuleRow:
    row = await session.get(AlertRuleRow, rule_id)
    if row is None:
        raise NotFound(f"alert rule {rule_id} does not exist", field="rule_id")
    return row


async def update_rule(session: AsyncSession, rule_id: UUID, fields: dict[str, Any]) -> AlertRuleRow:
    row = await get_rule(session, rule_id)
    for name, value in fields.items():
        setattr(row, name, value)
    validate_rule(row)
    row.updated_at = utcnow()
    await session.flush()
    return row


async def delete_rule(session: AsyncSession, rule_id: UUID) -> None:
    await session.delete(await get_rule(session, rule_id))


async def get_alert(session: AsyncSession, alert_id: UUID) -> AlertRow:
    row = await session.get(AlertRow, alert_id, with_for_update=True)
    if row is None:
        raise NotFound(f"alert {alert_id} does not exist", field="alert_id")
    return row


async def change_state(session: AsyncSession, alert_id: UUID, requested: AlertState, by: str) -> AlertRow:
    row = await get_alert(session, alert_id)
    alert = repository.alert_of(row)
    try:
        changed = (
            alert.acknowledge(by, utcnow()) if requested is AlertState.ACKNOWLEDGED else alert.resolve(by, utcnow())
        )
    except InvalidTransition:
        allowed = {"firing": ["acknowledged", "resolved"], "acknowledged": ["resolved"], "resolved": []}[
            alert.state.value
        ]
        raise IllegalTransition("alert", alert.state.value, requested.value, allowed) from None
    repository.write_alert(row, changed)
    await session.flush()
    return row


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def _publish_raised(session: AsyncSession, alert: Alert, metric: str, action: str, producer: str) -> None:
    await add_event(
        session,
        ALERT_RAISED,
        AlertRaised(
            producer=producer,
            alert_id=UUID(alert.id),
            model_name=alert.key.model,
            version_id=_uuid_or_none(alert.key.version),
            arm=alert.key.arm,
            rule=alert.source,
            severity=EVENT_SEVERITY[alert.severity],
            metric=metric,
            value=alert.value if alert.value is not None else 0.0,
            threshold=alert.threshold if alert.threshold is not None else 0.0,
            message=alert.message,
            action=action,
            team=model.team if (model := await models_repository.get_model(session, alert.key.model)) else None,
        ),
    )


async def _store(session: AsyncSession, transition: AlertTransition, existing: AlertRow | None) -> None:
    if existing is None:
        session.add(repository.new_row(transition.alert))
    else:
        repository.write_alert(existing, transition.alert)
    await session.flush()


async def evaluate_rules(session: AsyncSession, now: datetime, producer: str) -> list[AlertTransition]:
    """Evaluate every enabled rule for every model version and arm with traffic in its window."""
    transitions: list[AlertTransition] = []
    for rule_row in await repository.enabled_rules(session):
        rule = repository.rule_of(rule_row)
        start = now - rule.window
        rollups = await rollup_repository.load_rollups(
            session, start, now, model=rule.model, version=rule.version, arm=rule.arm
        )
        figures = rollup_service.current(rollups, start, now)
        quality = quality_service.per_key(
            await quality_repository.load_buckets(session, start, now, rule.model), start, now
        )
        for key in sorted(set(figures) | set(quality)):
            if not rule.applies_to(key):
                continue
            readings: dict[Metric, MetricReading] = {}
            if key in figures:
                readings.update(readings_from_summary(figures[key]))
            if key in quality:
                readings.update(readings_from_quality(quality[key]))
            outcome = evaluate_rule(rule, key, readings)
            existing = await repository.open_alert_row(session, fingerprint(rule.id, key))
            transition = apply_outcome(repository.alert_of(existing) if existing else None, outcome, now)
            if transition is None:
                continue
            await _store(session, transition, existing)
            if transition.kind is TransitionKind.RAISED:
                await _publish_raised(session, transition.alert, rule.metric.value, "none", producer)
            transitions.append(transition)
    return transitions


def _arm(rollups: Sequence[Rollup], key: RollupKey, start: datetime, end: datetime) -> Rollup:
    return merge_window([r for r in rollups if r.key == key], key, start, end)


async def guard_canaries(
    session: AsyncSession,
    models: Sequence[MonitoredModelRow],
    now: datetime,
    window: timedelta,
    config: CanaryGuardConfig,
    producer: str,
) -> list[AlertTransition]:
    """Raise a rollback-recommended alert for a canary measurably worse than stable; resolve it when it recovers."""
    transitions: list[AlertTransition] = []
    for model in models:
        if model.canary_version is None or model.stable_version is None:
            continue
        start = now - window
        rollups = await rollup_repository.load_rollups(session, start, now, model=model.model_name)
        stable = _arm(rollups, RollupKey(model.model_name, model.stable_version, "stable"), start, now)
        canary = _arm(rollups, RollupKey(model.model_name, model.canary_version, "canary"), start, now)
        decision = evaluate_canary(stable, canary, config, now)
        existing = await repository.open_alert_row(session, fingerprint(CANARY_SOURCE, canary.key))
        if decision.action is CanaryAction.ROLLBACK_RECOMMENDED:
            worst = next(e for e in decision.evidence if e.failed)
            evidence = decision.to_dict()
            if existing is None:
                alert = open_alert(
                    source=CANARY_SOURCE,
                    title="Canary worse than stable: rollback recommended",
                    severity=Severity.CRITICAL,
                    key=canary.key,
                    message="; ".join(decision.reasons),
                    at=now,
                    value=worst.canary_value,
                    threshold=worst.stable_value,
                    evidence=evidence,
                )
                transition = AlertTransition(TransitionKind.RAISED, alert)
                await _store(session, transition, None)
                await _publish_raised(session, alert, worst.check, "rollback_canary", producer)
            else:
                alert = repository.alert_of(existing).seen_again(worst.canary_value, now, evidence)
                transition = AlertTransition(
                    TransitionKind.UPDATED, replace(alert, message="; ".join(decision.reasons))
                )
                await _store(session, transition, existing)
            transitions.append(transition)
        elif decision.action is CanaryAction.CONTINUE and existing is not None:
            transition = AlertTransition(TransitionKind.RESOLVED, repository.alert_of(existing).resolve("auto", now))
            await _store(session, transition, existing)
            transitions.append(transition)
    return transitions


async def signal_drift(
    session: AsyncSession,
    key: RollupKey,
    drifted_checks: Sequence[str],
    evidence: dict[str, Any],
    now: datetime,
    producer: str,
) -> AlertTransition | None:
    """A drift report for the served version `key`: drifted checks raise an alert (or update the open one, so one
    alert stands per version while drift lasts); a report without drift resolves it."""
    existing = await repository.open_alert_row(session, fingerprint(DRIFT_SOURCE, key))
    if drifted_checks:
        message = f"served inputs drifted from the training data: {', '.join(drifted_checks)}"
        if existing is None:
            alert = open_alert(
                source=DRIFT_SOURCE,
                title="Input drift",
                severity=Severity.MEDIUM,
                key=key,
                message=message,
                at=now,
                value=float(len(drifted_checks)),
                threshold=1.0,
                evidence=evidence,
            )
            transition = AlertTransition(TransitionKind.RAISED, alert)
            await _store(session, transition, None)
            await _publish_raised(session, alert, DRIFT_SOURCE, "none", producer)
            return transition
        alert = repository.alert_of(existing).seen_again(float(len(drifted_checks)), now, evidence)
        transition = AlertTransition(TransitionKind.UPDATED, replace(alert, message=message))
    elif existing is not None:
        transition = AlertTransition(TransitionKind.RESOLVED, repository.alert_of(existing).resolve("auto", now))
    else:
        return None
    await _store(session, transition, existing)
    return transition
