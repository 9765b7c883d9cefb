"""Alert rules and their evaluation on the figures of one window for one model version and arm."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from tuneline.monitoring.quality.bucket import QualityBucket
from tuneline.monitoring.rollups.rollup import RollupKey, RollupSummary


class Metric(StrEnum):
    REQUEST_COUNT = "request_count"
    ERROR_RATE = "error_rate"
    TIMEOUT_RATE = "timeout_rate"
    LATENCY_MEAN_MS = "latency_mean_ms"
    LATENCY_P50_MS = "latency_p50_ms"
    LATENCY_P95_MS = "latency_p95_ms"
    LATENCY_P99_MS = "latency_p99_ms"
    TOKENS_IN = "tokens_in"
    TOKENS_OUT = "tokens_out"
    COST = "cost"
    COST_PER_REQUEST = "cost_per_request"
    UNIQUE_CALLERS = "unique_callers"
    THUMBS_DOWN_RATE = "thumbs_down_rate"
    ACCURACY = "accuracy"


class Comparator(StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


_COMPARE: dict[Comparator, Callable[[float, float], bool]] = {
    Comparator.GT: operator.gt,
    Comparator.GE: operator.ge,
    Comparator.LT: operator.lt,
    Comparator.LE: operator.le,
}


@dataclass(frozen=True, slots=True)
class MetricReading:
    """A metric's value over the window and how many observations it rests on (requests, feedback, labels)."""

    value: float | None
    samples: int


@dataclass(frozen=True, slots=True)
class AlertRule:
    id: str
    name: str
    metric: Metric
    comparator: Comparator
    threshold: float
    window: timedelta
    severity: Severity
    min_samples: int = 1
    # Scope: None matches every model / version / arm.
    model: str | None = None
    version: str | None = None
    arm: str | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("id: must not be empty")
        if not self.name:
            raise ValueError("name: must not be empty")
        for name, kind in (("metric", Metric), ("comparator", Comparator), ("severity", Severity)):
            value = getattr(self, name)
            if not isinstance(value, kind):
                try:
                    object.__setattr__(self, name, kind(value))
                except ValueError:
                    allowed = ", ".join(member.value for member in kind)
                    raise ValueError(f"{name}: must be one of {allowed}, got {value!r}") from None
        if self.window <= timedelta(0):
            raise ValueError(f"window: must be positive, got {self.window}")
        if self.min_samples < 0:
            raise ValueError(f"min_samples: must be >= 0, got {self.min_samples}")
        if self.threshold != self.threshold:  # NaN never compares true
            raise ValueError("threshold: must be a number")

    def applies_to(self, key: RollupKey) -> bool:
        return (
            self.enabled
            and self.model in (None, key.model)
            and self.version in (None, key.version)
            and self.arm in (None, key.arm)
        )

    def is_breached_by(self, value: float) -> bool:
        return _COMPARE[self.comparator](value, self.threshold)


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    rule: AlertRule
    key: RollupKey
    value: float | None
    samples: int
    # None: not enough samples (or no value) to decide either way, so an open alert stays as it is.
    breached: bool | None


def readings_from_summary(summary: RollupSummary) -> dict[Metric, MetricReading]:
    n = summary.requests
    return {
        Metric.REQUEST_COUNT: MetricReading(float(n), n),
        Metric.ERROR_RATE: MetricReading(summary.error_rate, n),
        Metric.TIMEOUT_RATE: MetricReading(summary.timeout_rate, n),
        Metric.LATENCY_MEAN_MS: MetricReading(summary.latency_mean_ms, n),
        Metric.LATENCY_P50_MS: MetricReading(summary.latency_p50_ms, n),
        Metric.LATENCY_P95_MS: MetricReading(summary.latency_p95_ms, n),
        Metric.LATENCY_P99_MS: MetricReading(summary.latency_p99_ms, n),
        Metric.TOKENS_IN: MetricReading(float(summary.tokens_in), n),
        Metric.TOKENS_OUT: MetricReading(float(summary.tokens_out), n),
        Metric.COST: MetricReading(summary.cost, n),
        Metric.COST_PER_REQUEST: MetricReading(summary.cost_per_request, n),
        Metric.UNIQUE_CALLERS: MetricReading(summary.unique_callers, n),
    }


def readings_from_quality(bucket: QualityBucket) -> dict[Metric, MetricReading]:
    return {
        Metric.THUMBS_DOWN_RATE: MetricReading(bucket.thumbs_down_rate, bucket.feedback_count),
        Metric.ACCURACY: MetricReading(bucket.accuracy, bucket.labelled),
    }


def evaluate_rule(rule: AlertRule, key: RollupKey, readings: Mapping[Metric, MetricReading]) -> RuleOutcome:
    reading = readings.get(rule.metric, MetricReading(None, 0))
    if reading.value is None or reading.samples < rule.min_samples:
        return RuleOutcome(rule=rule, key=key, value=reading.value, samples=reading.samples, breached=None)
    return RuleOutcome(
        rule=rule, key=key, value=reading.value, samples=reading.samples, breached=rule.is_breached_by(reading.value)
    )
