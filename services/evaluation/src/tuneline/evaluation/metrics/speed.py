"""Latency and generation speed per sample, and their summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SampleTiming:
    """``latency_s`` is the sample's share of its batch's wall time (batch time / batch size)."""

    latency_s: float
    generated_tokens: int

    @property
    def tokens_per_s(self) -> float:
        return self.generated_tokens / self.latency_s if self.latency_s > 0 else 0.0


@dataclass(frozen=True)
class SpeedSummary:
    latency_ms_mean: float
    latency_ms_p50: float
    latency_ms_p95: float
    tokens_per_s_mean: float
    throughput_tokens_per_s: float


def summarise_speed(timings: Sequence[SampleTiming]) -> SpeedSummary:
    """Percentiles use numpy's linear interpolation; throughput = all tokens / all time."""
    if not timings:
        raise ValueError("timings is empty: speed needs at least one sample")
    for index, timing in enumerate(timings):
        if timing.latency_s <= 0 or timing.generated_tokens < 0:
            raise ValueError(f"sample {index}: latency must be > 0 and token count >= 0, got {timing}")
    latencies_ms = np.array([t.latency_s * 1000.0 for t in timings])
    total_time = sum(t.latency_s for t in timings)
    return SpeedSummary(
        latency_ms_mean=float(latencies_ms.mean()),
        latency_ms_p50=float(np.percentile(latencies_ms, 50)),
        latency_ms_p95=float(np.percentile(latencies_ms, 95)),
        tokens_per_s_mean=float(np.mean([t.tokens_per_s for t in timings])),
        throughput_tokens_per_s=sum(t.generated_tokens for t in timings) / total_time,
    )
