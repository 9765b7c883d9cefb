"""Prometheus figures for inference traffic, exposed on the service's /metrics.

Counters grow as batches commit; the gauges hold the current window's figures and are refreshed by the
evaluation loop (a gauge of a sketch quantile cannot be summed by Prometheus, so it is computed here).
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Counter, Gauge, Histogram

from tuneline.monitoring.rollups.rollup import Rollup, RollupKey, RollupSummary

LABELS = ("model", "version", "arm")

REQUESTS = Counter("tuneline_monitoring_requests_total", "Inference requests seen", [*LABELS, "status"])
TOKENS = Counter("tuneline_monitoring_tokens_total", "Tokens processed", [*LABELS, "direction"])
COST = Counter("tuneline_monitoring_cost_total", "Inference cost in the price table's currency", LABELS)
INGESTED = Counter("tuneline_monitoring_ingest_events_total", "Inference events ingested", ["outcome"])
INGEST_DELAY = Histogram(
    "tuneline_monitoring_ingest_delay_seconds",
    "From the inference event's occurred_at to its roll-up commit",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
LATENCY = Gauge("tuneline_monitoring_latency_ms", "Latency quantile over the current window", [*LABELS, "quantile"])
ERROR_RATE = Gauge("tuneline_monitoring_error_rate", "Error rate over the current window", LABELS)
TIMEOUT_RATE = Gauge("tuneline_monitoring_timeout_rate", "Timeout rate over the current window", LABELS)
RPS = Gauge("tuneline_monitoring_requests_per_second", "Request rate over the current window", LABELS)
UNIQUE_CALLERS = Gauge("tuneline_monitoring_unique_callers", "Unique callers over the current window", LABELS)
OPEN_ALERTS = Gauge("tuneline_monitoring_open_alerts", "Open (firing or acknowledged) alerts", ["severity"])
DRIFT = Gauge(
    "tuneline_monitoring_drift", "1 when the last drift report found drift on this check", ["model", "version", "check"]
)


def record_batch(rollups: list[Rollup], new_events: int, duplicates: int, delays: list[float]) -> None:
    INGESTED.labels("new").inc(new_events)
    if duplicates:
        INGESTED.labels("duplicate").inc(duplicates)
    for delay in delays:
        INGEST_DELAY.observe(max(delay, 0.0))
    for rollup in rollups:
        labels = (rollup.key.model, rollup.key.version, rollup.key.arm)
        ok = rollup.requests - rollup.errors - rollup.timeouts
        for status, count in (("ok", ok), ("error", rollup.errors), ("timeout", rollup.timeouts)):
            if count:
                REQUESTS.labels(*labels, status).inc(count)
        TOKENS.labels(*labels, "in").inc(rollup.tokens_in)
        TOKENS.labels(*labels, "out").inc(rollup.tokens_out)
        COST.labels(*labels).inc(rollup.cost)


def set_current(figures: Mapping[RollupKey, RollupSummary], window_seconds: float) -> None:
    for key, summary in figures.items():
        labels = (key.model, key.version, key.arm)
        for name, value in (
            ("p50", summary.latency_p50_ms),
            ("p95", summary.latency_p95_ms),
            ("p99", summary.latency_p99_ms),
        ):
            LATENCY.labels(*labels, name).set(value if value is not None else 0.0)
        ERROR_RATE.labels(*labels).set(summary.error_rate or 0.0)
        TIMEOUT_RATE.labels(*labels).set(summary.timeout_rate or 0.0)
        RPS.labels(*labels).set(summary.requests / window_seconds)
        UNIQUE_CALLERS.labels(*labels).set(summary.unique_callers)
