"""KPI targets from the use case (metric → target value) checked against the tuned model's metrics.

A target is met when the tuned value is at least the target, or at most the target for metrics where lower
is better (perplexity, latency, failure rates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tuneline.evaluation.summary.improvement import higher_is_better


@dataclass(frozen=True)
class KpiResult:
    metric: str
    target: float
    value: float | None
    met: bool
    reason: str


def check_kpis(targets: Mapping[str, float], tuned: Mapping[str, float]) -> list[KpiResult]:
    results = []
    for metric, target in targets.items():
        if metric not in tuned:
            results.append(KpiResult(metric, target, None, False, f"{metric} was not measured by this evaluation"))
            continue
        value = tuned[metric]
        if higher_is_better(metric):
            met, relation = value >= target, "at least"
        else:
            met, relation = value <= target, "at most"
        verdict = "met" if met else "missed"
        reason = f"{metric} = {value:.4g}, target {relation} {target:.4g}: {verdict}"
        results.append(KpiResult(metric, target, value, met, reason))
    return results
