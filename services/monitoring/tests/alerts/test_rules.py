from datetime import timedelta

import pytest

from tuneline.monitoring.alerts.rules import (
    AlertRule,
    Comparator,
    Metric,
    MetricReading,
    Severity,
    evaluate_rule,
    readings_from_summary,
)
from tuneline.monitoring.rollups.rollup import RollupKey, RollupSummary

KEY = RollupKey("m", "3", "canary")


def rule(**overrides: object) -> AlertRule:
    fields: dict[str, object] = {
        "id": "r1",
        "name": "High error rate",
        "metric": Metric.ERROR_RATE,
        "comparator": Comparator.GT,
        "threshold": 0.05,
        "window": timedelta(minutes=5),
        "severity": Severity.HIGH,
        "min_samples": 100,
    }
    return AlertRule(**{**fields, **overrides})  # type: ignore[arg-type]


def summary(requests: int, errors: int) -> RollupSummary:
    return RollupSummary(
        requests=requests,
        errors=errors,
        timeouts=0,
        error_rate=errors / requests if requests else None,
        timeout_rate=0.0 if requests else None,
        latency_mean_ms=None,
        latency_p50_ms=None,
        latency_p95_ms=None,
        latency_p99_ms=None,
        latency_max_ms=None,
        tokens_in=0,
        tokens_out=0,
        cost=0.0,
        cost_per_request=None,
        unpriced_requests=0,
        unique_callers=0.0,
    )


def test_breach_only_strictly_above_a_greater_than_threshold() -> None:
    assert evaluate_rule(rule(), KEY, readings_from_summary(summary(200, 11))).breached is True  # 5.5 %
    assert evaluate_rule(rule(), KEY, readings_from_summary(summary(200, 10))).breached is False  # 5.0 %
    assert evaluate_rule(rule(comparator=">="), KEY, readings_from_summary(summary(200, 10))).breached is True


def test_too_few_samples_decides_nothing() -> None:
    outcome = evaluate_rule(rule(), KEY, readings_from_summary(summary(99, 99)))
    assert outcome.breached is None and outcome.samples == 99 and outcome.value == 1.0


def test_missing_metric_value_decides_nothing() -> None:
    outcome = evaluate_rule(rule(metric=Metric.ACCURACY, min_samples=0), KEY, {})
    assert outcome.breached is None


def test_below_threshold_comparators_for_quality_metrics() -> None:
    accuracy = rule(metric="accuracy", comparator="<", threshold=0.9, min_samples=20)
    assert evaluate_rule(accuracy, KEY, {Metric.ACCURACY: MetricReading(0.85, 40)}).breached is True
    assert evaluate_rule(accuracy, KEY, {Metric.ACCURACY: MetricReading(0.95, 40)}).breached is False


def test_scope_matches_model_version_and_arm_when_set() -> None:
    assert rule().applies_to(KEY)
    assert rule(model="m", arm="canary").applies_to(KEY)
    assert not rule(arm="stable").applies_to(KEY)
    assert not rule(version="2").applies_to(KEY)
    assert not rule(enabled=False).applies_to(KEY)


@pytest.mark.parametrize(
    ("field", "value"),
    [("metric", "latency"), ("comparator", "=="), ("severity", "urgent"), ("window", timedelta(0)), ("id", "")],
)
def test_invalid_rule_names_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        rule(**{field: value})
