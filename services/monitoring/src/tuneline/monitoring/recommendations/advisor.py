"""Optimisation recommendations for one model version, each with the reason and the figures behind it.

- Inputs drifted: retrain when a newer dataset version exists, otherwise add training data like today's traffic.
- Quality degrading while inputs look unchanged: the input-to-answer mapping moved (concept drift), so fresh
  labelled examples are needed, not a new recipe: add training data.
- Accuracy steady but under its target with unchanged inputs: the data fits, the fit does not: change
  hyperparameters (learning rate, LoRA rank, epochs) and re-run the evaluation gate.
- Capacity, by Little's law: in-flight requests L = arrival rate x mean latency; replicas needed =
  ceil(L / (max concurrent requests per replica x target utilisation)). Scale up when short of that or when the
  latency SLO / timeouts break; scale down when less than half the replicas would do and the SLO holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tuneline.monitoring.drift.report import DriftCheckName, DriftReport
from tuneline.monitoring.quality.bucket import QualityTrend, TrendDirection
from tuneline.monitoring.retraining.policy import DatasetVersion
from tuneline.monitoring.rollups.rollup import RollupSummary


class RecommendedAction(StrEnum):
    RETRAIN = "retrain"
    ADD_TRAINING_DATA = "add_training_data"
    OPTIMIZE_HYPERPARAMS = "optimize_hyperparams"
    SCALE_REPLICAS = "scale_replicas"


@dataclass(frozen=True, slots=True)
class Recommendation:
    action: RecommendedAction
    reason: str
    expected_improvement: str
    evidence: dict[str, Any] = field(default_factory=dict)
    estimated_cost_per_hour: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Capacity:
    replicas: int
    max_concurrent_per_replica: int
    target_utilization: float = 0.7
    replica_cost_per_hour: float | None = None

    def __post_init__(self) -> None:
        if self.replicas < 1:
            raise ValueError(f"replicas: must be >= 1, got {self.replicas}")
        if self.max_concurrent_per_replica < 1:
            raise ValueError(f"max_concurrent_per_replica: must be >= 1, got {self.max_concurrent_per_replica}")
        if not 0.0 < self.target_utilization <= 1.0:
            raise ValueError(f"target_utilization: must be in (0, 1], got {self.target_utilization}")


@dataclass(frozen=True, slots=True)
class Objectives:
    latency_p95_slo_ms: float = 2_000.0
    max_timeout_rate: float = 0.01
    accuracy_target: float | None = None
    min_labelled_for_accuracy: int = 50


@dataclass(frozen=True, slots=True)
class ModelHealth:
    traffic: RollupSummary
    window_seconds: float
    capacity: Capacity | None = None
    drift: DriftReport | None = None
    quality: QualityTrend | None = None
    newest_dataset: DatasetVersion | None = None
    trained_on: DatasetVersion | None = None


_INPUT_CHECKS = (
    DriftCheckName.PROMPT_LENGTH,
    DriftCheckName.TOKEN_DISTRIBUTION,
    DriftCheckName.EMBEDDING_DISTRIBUTION,
)


def _data_recommendation(health: ModelHealth) -> Recommendation | None:
    drifted = [n for n in (health.drift.drifted_checks if health.drift else []) if n in _INPUT_CHECKS]
    degrading = health.quality is not None and health.quality.direction is TrendDirection.DEGRADING
    if not drifted and not degrading:
        return None
    evidence: dict[str, Any] = {}
    if drifted and health.drift is not None:
        evidence["drift"] = {
            name.value: {"statistic": c.statistic, "p_value": c.p_value}
            for name in drifted
            if (c := health.drift.check(name)) is not None
        }
    if degrading and health.quality is not None:
        evidence["quality"] = {
            "metric": health.quality.metric,
            "earlier": health.quality.earlier,
            "recent": health.quality.recent,
            "p_value": health.quality.p_value,
        }
    what = (
        f"inputs drifted ({', '.join(n.value for n in drifted)})"
        if drifted
        else f"{health.quality.metric if health.quality else 'quality'} fell while inputs look unchanged "
        "(concept drift)"
    )
    newer = health.newest_dataset is not None and health.newest_dataset != health.trained_on
    if drifted and newer and health.newest_dataset is not None:
        return Recommendation(
            action=RecommendedAction.RETRAIN,
            reason=f"{what}; dataset {health.newest_dataset.dataset_id} v{health.newest_dataset.version} "
            "is newer than the serving model's training data",
            expected_improvement="restores accuracy on current traffic to the evaluated level",
            evidence=evidence,
        )
    return Recommendation(
        action=RecommendedAction.ADD_TRAINING_DATA,
        reason=f"{what}; no newer dataset covers it: add labelled examples of recent traffic, then retrain",
        expected_improvement="closes the gap between training data and live traffic",
        evidence=evidence,
    )


def _hyperparameter_recommendation(health: ModelHealth, objectives: Objectives) -> Recommendation | None:
    quality, target = health.quality, objectives.accuracy_target
    if quality is None or target is None or quality.metric != "accuracy" or quality.recent is None:
        return None
    inputs_drifted = health.drift is not None and any(n in _INPUT_CHECKS for n in health.drift.drifted_checks)
    if (
        quality.direction is TrendDirection.DEGRADING
        or inputs_drifted
        or quality.n_recent < objectives.min_labelled_for_accuracy
        or quality.recent >= target
    ):
        return None
    return Recommendation(
        action=RecommendedAction.OPTIMIZE_HYPERPARAMS,
        reason=f"accuracy {quality.recent:.1%} on {quality.n_recent} labelled requests stays under the target "
        f"{target:.1%} with unchanged inputs: tune learning rate, LoRA rank or epochs and re-evaluate",
        expected_improvement=f"accuracy towards the {target:.0%} target",
        evidence={"accuracy": quality.recent, "target": target, "labelled": quality.n_recent},
    )


def replicas_needed(traffic: RollupSummary, window_seconds: float, capacity: Capacity) -> tuple[int, float]:
    """(replicas needed, mean in-flight requests) for the window's arrival rate and mean latency."""
    if window_seconds <= 0:
        raise ValueError(f"window_seconds: must be > 0, got {window_seconds}")
    arrival_rate = traffic.requests / window_seconds
    in_flight = arrival_rate * (traffic.latency_mean_ms or 0.0) / 1000.0
    per_replica = capacity.max_concurrent_per_replica * capacity.target_utilization
    return max(1, math.ceil(in_flight / per_replica - 1e-9)), in_flight


def _scaling_recommendation(health: ModelHealth, objectives: Objectives) -> Recommendation | None:
    capacity, traffic = health.capacity, health.traffic
    if capacity is None or traffic.requests == 0:
        return None
    needed, in_flight = replicas_needed(traffic, health.window_seconds, capacity)
    p95 = traffic.latency_p95_ms or 0.0
    timeouts = traffic.timeout_rate or 0.0
    slo_broken = p95 > objectives.latency_p95_slo_ms or timeouts > objectives.max_timeout_rate
    evidence = {
        "requests_per_second": traffic.requests / health.window_seconds,
        "mean_latency_ms": traffic.latency_mean_ms,
        "in_flight": in_flight,
        "replicas": capacity.replicas,
        "replicas_needed": needed,
        "latency_p95_ms": p95,
        "timeout_rate": timeouts,
    }
    if needed > capacity.replicas or slo_broken:
        target = max(needed, capacity.replicas + 1)
        why = [f"{in_flight:.1f} requests in flight need {needed} replicas at {capacity.target_utilization:.0%} use"]
        if p95 > objectives.latency_p95_slo_ms:
            why.append(f"p95 {p95:.0f} ms over the {objectives.latency_p95_slo_ms:.0f} ms SLO")
        if timeouts > objectives.max_timeout_rate:
            why.append(f"timeout rate {timeouts:.2%} over {objectives.max_timeout_rate:.2%}")
        reason = f"scale from {capacity.replicas} to {target} replicas: " + "; ".join(why)
    elif needed * 2 <= capacity.replicas:
        target = needed
        reason = f"scale from {capacity.replicas} down to {target} replicas: {in_flight:.1f} requests in flight"
    else:
        return None
    delta_cost = (
        (target - capacity.replicas) * capacity.replica_cost_per_hour
        if capacity.replica_cost_per_hour is not None
        else None
    )
    return Recommendation(
        action=RecommendedAction.SCALE_REPLICAS,
        reason=reason,
        expected_improvement="latency and timeouts back within objectives"
        if target > capacity.replicas
        else "same service level at lower cost",
        evidence={**evidence, "target_replicas": target},
        estimated_cost_per_hour=delta_cost,
    )


def recommend(health: ModelHealth, objectives: Objectives | None = None) -> list[Recommendation]:
    objectives = objectives or Objectives()
    candidates = (
        _data_recommendation(health),
        _hyperparameter_recommendation(health, objectives),
        _scaling_recommendation(health, objectives),
    )
    return [r for r in candidates if r is not None]
