"""The alert lifecycle: firing → acknowledged → resolved, one open alert per fingerprint.

The fingerprint is (rule, model, version, arm): while an alert for it is open, further breaches update that
alert (value, occurrences, last seen) instead of opening another, so people are notified once per incident.
A breach after resolution opens a new alert. An open alert resolves by itself when its condition clears.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from tuneline.monitoring.alerts.rules import RuleOutcome, Severity
from tuneline.monitoring.rollups.rollup import RollupKey

AUTO_RESOLVER = "auto"


class AlertState(StrEnum):
    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class TransitionKind(StrEnum):
    RAISED = "raised"
    UPDATED = "updated"
    RESOLVED = "resolved"


class InvalidTransition(ValueError):
    pass


def fingerprint(source: str, key: RollupKey) -> str:
    """Stable id of (rule or built-in check, model, version, arm); the dedup key of alerts."""
    raw = "\x1f".join((source, key.model, key.version, key.arm))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    fingerprint: str
    source: str  # the rule id, or a built-in check such as "canary-guard"
    title: str
    severity: Severity
    key: RollupKey
    state: AlertState
    message: str
    fired_at: datetime
    last_seen_at: datetime
    value: float | None = None
    threshold: float | None = None
    occurrences: int = 1
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.state is not AlertState.RESOLVED

    def acknowledge(self, by: str, at: datetime) -> Alert:
        if self.state is not AlertState.FIRING:
            raise InvalidTransition(f"state: cannot acknowledge an alert that is {self.state.value}")
        return replace(self, state=AlertState.ACKNOWLEDGED, acknowledged_at=at, acknowledged_by=by)

    def resolve(self, by: str, at: datetime) -> Alert:
        if self.state is AlertState.RESOLVED:
            raise InvalidTransition("state: the alert is already resolved")
        return replace(self, state=AlertState.RESOLVED, resolved_at=at, resolved_by=by)

    def seen_again(self, value: float | None, at: datetime, evidence: dict[str, Any] | None = None) -> Alert:
        return replace(
            self,
            value=value,
            last_seen_at=at,
            occurrences=self.occurrences + 1,
            evidence=evidence if evidence is not None else self.evidence,
        )


def open_alert(
    *,
    source: str,
    title: str,
    severity: Severity,
    key: RollupKey,
    message: str,
    at: datetime,
    value: float | None = None,
    threshold: float | None = None,
    evidence: dict[str, Any] | None = None,
) -> Alert:
    return Alert(
        id=str(uuid.uuid4()),
        fingerprint=fingerprint(source, key),
        source=source,
        title=title,
        severity=severity,
        key=key,
        state=AlertState.FIRING,
        message=message,
        fired_at=at,
        last_seen_at=at,
        value=value,
        threshold=threshold,
        evidence=evidence or {},
    )


@dataclass(frozen=True, slots=True)
class AlertTransition:
    kind: TransitionKind
    alert: Alert

    @property
    def notifies(self) -> bool:
        """People hear about new incidents and their end, not about every re-evaluation in between."""
        return self.kind is not TransitionKind.UPDATED


def describe(outcome: RuleOutcome) -> str:
    rule, key = outcome.rule, outcome.key
    return (
        f"{rule.metric.value} = {outcome.value:.6g} {rule.comparator.value} {rule.threshold:.6g} "
        f"over {int(rule.window.total_seconds())} s ({outcome.samples} samples) "
        f"for {key.model} v{key.version} [{key.arm}]"
    )


def apply_outcome(active: Alert | None, outcome: RuleOutcome, at: datetime) -> AlertTransition | None:
    """What a rule evaluation does to the open alert of its fingerprint (None: nothing changes)."""
    if active is not None and not active.is_open:
        raise InvalidTransition("active: pass the open alert of the fingerprint, or None")
    if outcome.breached is None:
        return None
    evidence = {"samples": outcome.samples, "window_seconds": int(outcome.rule.window.total_seconds())}
    if outcome.breached:
        if active is None:
            alert = open_alert(
                source=outcome.rule.id,
                title=outcome.rule.name,
                severity=outcome.rule.severity,
                key=outcome.key,
                message=describe(outcome),
                at=at,
                value=outcome.value,
                threshold=outcome.rule.threshold,
                evidence=evidence,
            )
            return AlertTransition(TransitionKind.RAISED, alert)
        return AlertTransition(TransitionKind.UPDATED, active.seen_again(outcome.value, at, evidence))
    if active is None:
        return None
    return AlertTransition(TransitionKind.RESOLVED, replace(active, value=outcome.value).resolve(AUTO_RESOLVER, at))
