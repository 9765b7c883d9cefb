from datetime import UTC, datetime

import pytest

from tuneline.monitoring.drift.report import DriftCheck, DriftCheckName, DriftReport
from tuneline.monitoring.quality.bucket import QualityTrend, TrendDirection
from tuneline.monitoring.recommendations.advisor import (
    Capacity,
    ModelHealth,
    Objectives,
    RecommendedAction,
    recommend,
    replicas_needed,
)
from tuneline.monitoring.retraining.policy import DatasetVersion
from tuneline.monitoring.rollups.rollup import RollupSummary

T0 = datetime(2026, 3, 2, tzinfo=UTC)
V1 = DatasetVersion("ds", "1", T0)
V2 = DatasetVersion("ds", "2", T0)


def traffic(requests: int = 60_000, mean_ms: float = 400.0, p95_ms: float = 900.0, timeouts: int = 0) -> RollupSummary:
    return RollupSummary(
        requests=requests,
        errors=0,
        timeouts=timeouts,
        error_rate=0.0,
        timeout_rate=timeouts / requests if requests else None,
        latency_mean_ms=mean_ms,
        latency_p50_ms=mean_ms,
        latency_p95_ms=p95_ms,
        latency_p99_ms=p95_ms,
        latency_max_ms=p95_ms,
        tokens_in=0,
        tokens_out=0,
        cost=0.0,
        cost_per_request=0.0,
        unpriced_requests=0,
        unique_callers=1.0,
    )


def drift(*drifted: DriftCheckName) -> DriftReport:
    checks = tuple(
        DriftCheck(
            name=name, method="t", drifted=name in drifted, n_reference=500, n_live=200, statistic=0.4, p_value=0.001
        )
        for name in DriftCheckName
    )
    return DriftReport(model="m", version="1", usecase_id="uc", window_start=T0, window_end=T0, checks=checks)


def trend(direction: TrendDirection, earlier: float = 0.9, recent: float = 0.8) -> QualityTrend:
    return QualityTrend(direction, "accuracy", earlier, recent, 0.001, 400, 400)


def actions(health: ModelHealth, objectives: Objectives | None = None) -> list[RecommendedAction]:
    return [r.action for r in recommend(health, objectives)]


def test_replicas_needed_follows_littles_law() -> None:
    # 60,000 requests / 600 s = 100 rps; x 0.4 s = 40 in flight; 8 per replica at 70 % = 5.6; ceil(7.14) = 8
    needed, in_flight = replicas_needed(traffic(), 600.0, Capacity(replicas=4, max_concurrent_per_replica=8))
    assert in_flight == pytest.approx(40.0)
    assert needed == 8


def test_too_few_replicas_recommends_scaling_up_with_cost_and_reason() -> None:
    health = ModelHealth(
        traffic=traffic(),
        window_seconds=600.0,
        capacity=Capacity(replicas=4, max_concurrent_per_replica=8, replica_cost_per_hour=1.5),
    )
    [rec] = recommend(health)
    assert rec.action is RecommendedAction.SCALE_REPLICAS
    assert rec.evidence["target_replicas"] == 8
    assert rec.estimated_cost_per_hour == pytest.approx(6.0)
    assert rec.reason == "scale from 4 to 8 replicas: 40.0 requests in flight need 8 replicas at 70% use"


def test_broken_latency_slo_adds_a_replica_even_when_capacity_looks_enough() -> None:
    health = ModelHealth(
        traffic=traffic(requests=600, p95_ms=2500.0),
        window_seconds=600.0,
        capacity=Capacity(replicas=2, max_concurrent_per_replica=8),
    )
    [rec] = recommend(health, Objectives(latency_p95_slo_ms=2000.0))
    assert rec.evidence["target_replicas"] == 3
    assert "p95 2500 ms over the 2000 ms SLO" in rec.reason


def test_idle_replicas_recommend_scaling_down() -> None:
    health = ModelHealth(
        traffic=traffic(requests=6_000),
        window_seconds=600.0,
        capacity=Capacity(replicas=6, max_concurrent_per_replica=8, replica_cost_per_hour=2.0),
    )
    [rec] = recommend(health)
    # 10 rps x 0.4 s = 4 in flight -> 1 replica
    assert rec.evidence["target_replicas"] == 1
    assert rec.estimated_cost_per_hour == pytest.approx(-10.0)


def test_input_drift_with_newer_dataset_recommends_retrain_else_more_data() -> None:
    drifted = drift(DriftCheckName.TOKEN_DISTRIBUTION)
    with_data = ModelHealth(traffic=traffic(), window_seconds=600, drift=drifted, newest_dataset=V2, trained_on=V1)
    [rec] = recommend(with_data)
    assert rec.action is RecommendedAction.RETRAIN
    assert rec.reason.startswith("inputs drifted (token_distribution); dataset ds v2 is newer")
    assert rec.evidence["drift"]["token_distribution"]["p_value"] == 0.001
    without = ModelHealth(traffic=traffic(), window_seconds=600, drift=drifted, newest_dataset=V1, trained_on=V1)
    assert actions(without) == [RecommendedAction.ADD_TRAINING_DATA]


def test_degrading_quality_with_unchanged_inputs_is_concept_drift_needing_data() -> None:
    health = ModelHealth(traffic=traffic(), window_seconds=600, drift=drift(), quality=trend(TrendDirection.DEGRADING))
    [rec] = recommend(health)
    assert rec.action is RecommendedAction.ADD_TRAINING_DATA
    assert "accuracy fell while inputs look unchanged (concept drift)" in rec.reason


def test_steady_accuracy_under_target_recommends_hyperparameter_changes() -> None:
    health = ModelHealth(
        traffic=traffic(), window_seconds=600, drift=drift(), quality=trend(TrendDirection.STABLE, 0.82, 0.82)
    )
    [rec] = recommend(health, Objectives(accuracy_target=0.9))
    assert rec.action is RecommendedAction.OPTIMIZE_HYPERPARAMS
    assert rec.reason.startswith("accuracy 82.0% on 400 labelled requests stays under the target 90.0%")
    assert actions(health, Objectives(accuracy_target=0.8)) == []


def test_healthy_model_gets_no_recommendation() -> None:
    health = ModelHealth(
        traffic=traffic(requests=6_000),
        window_seconds=600,
        drift=drift(),
        quality=trend(TrendDirection.STABLE),
        capacity=Capacity(replicas=1, max_concurrent_per_replica=8),
    )
    assert recommend(health, Objectives(accuracy_target=0.7)) == []
