"""Per-metric change from base to tuned, with the direction that counts as better."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Every other metric is "higher is better".
LOWER_IS_BETTER = frozenset(
    {
        "perplexity",
        "general_perplexity",
        "latency_ms_mean",
        "latency_ms_p50",
        "latency_ms_p95",
        "unparsed_rate",
        "parse_failure_rate",
    }
)


def higher_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


@dataclass(frozen=True)
class MetricChange:
    metric: str
    base: float
    tuned: float
    absolute: float
    percent: float | None  # None when the base is 0 (a percentage of nothing is undefined)
    higher_is_better: bool
    improved: bool


def compare(base: Mapping[str, float], tuned: Mapping[str, float]) -> list[MetricChange]:
    """Metrics present in both, in the base's order."""
    changes = []
    for metric, before in base.items():
        if metric not in tuned:
            continue
        after = tuned[metric]
        better_up = higher_is_better(metric)
        changes.append(
            MetricChange(
                metric=metric,
                base=before,
                tuned=after,
                absolute=after - before,
                percent=(after - before) / abs(before) * 100.0 if before else None,
                higher_is_better=better_up,
                improved=after > before if better_up else after < before,
            )
        )
    return changes
