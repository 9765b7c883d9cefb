"""One time bucket of inference traffic for one model version and canary arm, and the figures read from it.

Every part of a roll-up is mergeable (counts add, sketches merge), so partial buckets written by different
flushes or consumers combine into the same figures, and windows (5 minutes, a day) are merges of buckets.
Latency covers every request, whatever its status: it is what callers waited, timeouts included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tuneline.monitoring.rollups.distinct import DistinctCounter
from tuneline.monitoring.rollups.observation import InferenceObservation, RequestStatus
from tuneline.monitoring.rollups.sketch import LatencySketch


@dataclass(frozen=True, slots=True, order=True)
class RollupKey:
    model: str
    version: str
    arm: str


def bucket_start(moment: datetime, bucket_seconds: int) -> datetime:
    """Start of the fixed, epoch-aligned bucket holding `moment` (aligned buckets merge across processes)."""
    if moment.tzinfo is None:
        raise ValueError("occurred_at: must be timezone-aware (UTC)")
    epoch_seconds = moment.timestamp()
    start = epoch_seconds - (epoch_seconds % bucket_seconds)
    return datetime.fromtimestamp(start, tz=UTC)


@dataclass(frozen=True, slots=True)
class RollupSummary:
    """The figures a dashboard, an alert rule or the canary guard reads (rates in 0..1, latency in ms)."""

    requests: int
    errors: int
    timeouts: int
    error_rate: float | None
    timeout_rate: float | None
    latency_mean_ms: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    latency_p99_ms: float | None
    latency_max_ms: float | None
    tokens_in: int
    tokens_out: int
    cost: float
    cost_per_request: float | None
    unpriced_requests: int
    unique_callers: float

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(slots=True)
class Rollup:
    key: RollupKey
    start: datetime
    bucket_seconds: int
    usecase_id: str | None = None
    requests: int = 0
    errors: int = 0
    timeouts: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    unpriced_requests: int = 0
    latency: LatencySketch = field(default_factory=LatencySketch)
    callers: DistinctCounter = field(default_factory=DistinctCounter)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.bucket_seconds)

    def add(self, observation: InferenceObservation, cost: float | None) -> None:
        self.requests += 1
        if observation.status is RequestStatus.ERROR:
            self.errors += 1
        elif observation.status is RequestStatus.TIMEOUT:
            self.timeouts += 1
        self.tokens_in += observation.tokens_in
        self.tokens_out += observation.tokens_out
        if cost is None:
            self.unpriced_requests += 1
        else:
            self.cost += cost
        self.latency.add(observation.latency_ms)
        self.callers.add(observation.caller_id)
        if self.usecase_id is None:
            self.usecase_id = observation.usecase_id

    def merge(self, other: Rollup) -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.timeouts += other.timeouts
        self.tokens_in += other.tokens_in
        self.tokens_out += other.tokens_out
        self.cost += other.cost
        self.unpriced_requests += other.unpriced_requests
        self.latency.merge(other.latency)
        self.callers.merge(other.callers)
        if self.usecase_id is None:
            self.usecase_id = other.usecase_id

    def summary(self) -> RollupSummary:
        n = self.requests
        return RollupSummary(
            requests=n,
            errors=self.errors,
            timeouts=self.timeouts,
            error_rate=self.errors / n if n else None,
            timeout_rate=self.timeouts / n if n else None,
            latency_mean_ms=self.latency.mean,
            latency_p50_ms=self.latency.quantile(0.50),
            latency_p95_ms=self.latency.quantile(0.95),
            latency_p99_ms=self.latency.quantile(0.99),
            latency_max_ms=self.latency.maximum if n else None,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            cost=self.cost,
            cost_per_request=self.cost / n if n else None,
            unpriced_requests=self.unpriced_requests,
            unique_callers=self.callers.estimate(),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.key.model,
            "version": self.key.version,
            "arm": self.key.arm,
            "start": self.start.isoformat(),
            "bucket_seconds": self.bucket_seconds,
            "usecase_id": self.usecase_id,
            "requests": self.requests,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost": self.cost,
            "unpriced_requests": self.unpriced_requests,
            "latency": self.latency.to_dict(),
            "callers": self.callers.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rollup:
        return cls(
            key=RollupKey(model=data["model"], version=data["version"], arm=data["arm"]),
            start=datetime.fromisoformat(data["start"]),
            bucket_seconds=int(data["bucket_seconds"]),
            usecase_id=data.get("usecase_id"),
            requests=int(data["requests"]),
            errors=int(data["errors"]),
            timeouts=int(data["timeouts"]),
            tokens_in=int(data["tokens_in"]),
            tokens_out=int(data["tokens_out"]),
            cost=float(data["cost"]),
            unpriced_requests=int(data["unpriced_requests"]),
            latency=LatencySketch.from_dict(data["latency"]),
            callers=DistinctCounter.from_dict(data["callers"]),
        )


def merge_window(rollups: Iterable[Rollup], key: RollupKey, start: datetime, end: datetime) -> Rollup:
    """One roll-up covering [start, end) from the buckets of `key` that start inside it.

    The result's key is `key` even when the inputs span several versions or arms (e.g. a whole model or
    use case), so callers choose the level they aggregate at.
    """
    seconds = int((end - start).total_seconds())
    if seconds <= 0:
        raise ValueError(f"window: end {end.isoformat()} must be after start {start.isoformat()}")
    window = Rollup(key=key, start=start, bucket_seconds=seconds)
    for rollup in rollups:
        if start <= rollup.start < end:
            window.merge(rollup)
    return window
