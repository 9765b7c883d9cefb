from datetime import UTC, datetime, timedelta

import pytest

from tuneline.monitoring.alerts.rules import AlertRule, Comparator, Metric, RuleOutcome, Severity
from tuneline.monitoring.alerts.state import (
    AlertState,
    InvalidTransition,
    TransitionKind,
    apply_outcome,
    fingerprint,
)
from tuneline.monitoring.rollups.rollup import RollupKey

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
KEY = RollupKey("m", "3", "canary")
RULE = AlertRule(
    id="r1",
    name="Slow p95",
    metric=Metric.LATENCY_P95_MS,
    comparator=Comparator.GT,
    threshold=800.0,
    window=timedelta(minutes=5),
    severity=Severity.MEDIUM,
    min_samples=10,
)


def outcome(value: float | None, breached: bool | None, key: RollupKey = KEY) -> RuleOutcome:
    return RuleOutcome(rule=RULE, key=key, value=value, samples=50, breached=breached)


def test_first_breach_raises_a_firing_alert_that_notifies() -> None:
    transition = apply_outcome(None, outcome(950.0, True), T0)
    assert transition is not None and transition.kind is TransitionKind.RAISED and transition.notifies
    alert = transition.alert
    assert alert.state is AlertState.FIRING
    assert alert.fingerprint == fingerprint("r1", KEY)
    assert (alert.value, alert.threshold, alert.occurrences, alert.fired_at) == (950.0, 800.0, 1, T0)
    assert alert.message == "latency_p95_ms = 950 > 800 over 300 s (50 samples) for m v3 [canary]"


def test_repeated_breaches_update_the_open_alert_without_notifying() -> None:
    raised = apply_outcome(None, outcome(950.0, True), T0)
    assert raised is not None
    again = apply_outcome(raised.alert, outcome(990.0, True), T0 + timedelta(minutes=1))
    assert again is not None and again.kind is TransitionKind.UPDATED and not again.notifies
    assert again.alert.id == raised.alert.id
    assert (again.alert.occurrences, again.alert.value) == (2, 990.0)
    assert again.alert.last_seen_at == T0 + timedelta(minutes=1) and again.alert.fired_at == T0


def test_firing_then_acknowledged_then_auto_resolved_when_the_condition_clears() -> None:
    raised = apply_outcome(None, outcome(950.0, True), T0)
    assert raised is not None
    acked = raised.alert.acknowledge("sre@example.com", T0 + timedelta(minutes=2))
    assert acked.state is AlertState.ACKNOWLEDGED and acked.acknowledged_by == "sre@example.com"
    still = apply_outcome(acked, outcome(900.0, True), T0 + timedelta(minutes=3))
    assert still is not None and still.alert.state is AlertState.ACKNOWLEDGED
    cleared = apply_outcome(still.alert, outcome(400.0, False), T0 + timedelta(minutes=4))
    assert cleared is not None and cleared.kind is TransitionKind.RESOLVED and cleared.notifies
    assert cleared.alert.state is AlertState.RESOLVED
    assert (cleared.alert.resolved_by, cleared.alert.resolved_at) == ("auto", T0 + timedelta(minutes=4))


def test_a_breach_after_resolution_opens_a_new_alert_with_the_same_fingerprint() -> None:
    first = apply_outcome(None, outcome(950.0, True), T0)
    assert first is not None
    resolved = first.alert.resolve("alice", T0 + timedelta(minutes=1))
    second = apply_outcome(None, outcome(999.0, True), T0 + timedelta(minutes=2))
    assert second is not None and second.kind is TransitionKind.RAISED
    assert second.alert.id != resolved.id and second.alert.fingerprint == resolved.fingerprint


def test_undecided_or_healthy_evaluations_change_nothing_without_an_open_alert() -> None:
    assert apply_outcome(None, outcome(400.0, False), T0) is None
    assert apply_outcome(None, outcome(None, None), T0) is None
    raised = apply_outcome(None, outcome(950.0, True), T0)
    assert raised is not None
    assert apply_outcome(raised.alert, outcome(3.0, None), T0) is None  # too few samples: keep firing


def test_invalid_transitions_are_refused() -> None:
    raised = apply_outcome(None, outcome(950.0, True), T0)
    assert raised is not None
    resolved = raised.alert.resolve("bob", T0)
    with pytest.raises(InvalidTransition, match="acknowledge"):
        resolved.acknowledge("bob", T0)
    with pytest.raises(InvalidTransition, match="already resolved"):
        resolved.resolve("bob", T0)
    with pytest.raises(InvalidTransition, match="acknowledge"):
        raised.alert.acknowledge("a", T0).acknowledge("b", T0)
    with pytest.raises(InvalidTransition, match="active"):
        apply_outcome(resolved, outcome(1.0, True), T0)


def test_fingerprints_differ_per_rule_model_version_and_arm() -> None:
    prints = {
        fingerprint("r1", KEY),
        fingerprint("r2", KEY),
        fingerprint("r1", RollupKey("m", "3", "stable")),
        fingerprint("r1", RollupKey("m", "4", "canary")),
        fingerprint("r1", RollupKey("n", "3", "canary")),
    }
    assert len(prints) == 5
