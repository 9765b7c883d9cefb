from datetime import UTC, datetime

import numpy as np
import pytest

from tuneline.monitoring.canary.guard import CanaryAction, CanaryGuardConfig, evaluate_canary
from tuneline.monitoring.proportions import two_proportion_z_test
from tuneline.monitoring.rollups.rollup import Rollup, RollupKey

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CONFIG = CanaryGuardConfig()


def arm(version: str, name: str, latencies: np.ndarray, errors: int = 0, timeouts: int = 0) -> Rollup:
    rollup = Rollup(key=RollupKey("clf", version, name), start=AT, bucket_seconds=600)
    rollup.requests = len(latencies)
    rollup.errors, rollup.timeouts = errors, timeouts
    rollup.latency.add_many(latencies)
    return rollup


def steady(n: int, seed: int, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(100.0, 200.0, n) * scale


def test_z_test_matches_the_hand_computed_figures() -> None:
    # pooled 40/2000 = 0.02; se = sqrt(0.02 * 0.98 * 2/1000) = 0.0062610; z = 0.02 / se = 3.1944
    result = two_proportion_z_test(10, 1000, 30, 1000)
    assert result.z == pytest.approx(3.1944, abs=1e-4)
    assert result.p_value == pytest.approx(0.000700, abs=2e-6)
    assert two_proportion_z_test(0, 50, 0, 80).p_value == 1.0
    with pytest.raises(ValueError, match="successes_b"):
        two_proportion_z_test(1, 10, 11, 10)


def test_recommends_rollback_when_canary_fails_significantly_more_often() -> None:
    decision = evaluate_canary(
        arm("7", "stable", steady(1000, 1), errors=6, timeouts=4),
        arm("8", "canary", steady(1000, 2), errors=25, timeouts=5),
        CONFIG,
        AT,
    )
    assert decision.action is CanaryAction.ROLLBACK_RECOMMENDED and decision.rollback_recommended
    failure = decision.evidence[0]
    assert failure.check == "failure_rate" and failure.failed
    assert (failure.stable_value, failure.canary_value) == (0.01, 0.03)
    assert failure.z == pytest.approx(3.1944, abs=1e-4)
    assert (failure.n_stable, failure.n_canary) == (1000, 1000)
    assert decision.reasons[0].startswith("canary failure rate 3.00% vs stable 1.00% (z = 3.19")
    assert (decision.stable_version, decision.canary_version) == ("7", "8")


def test_continues_when_the_failure_increase_is_significant_only_by_volume_but_tiny() -> None:
    # 1.0 % vs 1.5 % on 100k requests each: p << 0.01 but +0.5 points < the 1-point minimum
    decision = evaluate_canary(
        arm("7", "stable", steady(100_000, 3), errors=1000),
        arm("8", "canary", steady(100_000, 4), errors=1500),
        CONFIG,
        AT,
    )
    assert decision.evidence[0].p_value is not None and decision.evidence[0].p_value < 1e-6
    assert decision.action is CanaryAction.CONTINUE


def test_recommends_rollback_when_canary_p95_is_much_slower() -> None:
    decision = evaluate_canary(
        arm("7", "stable", steady(800, 5)), arm("8", "canary", steady(800, 6, scale=1.5)), CONFIG, AT
    )
    latency = decision.evidence[1]
    assert latency.check == "latency_p95" and latency.failed
    assert latency.details["p95_ratio"] == pytest.approx(1.5, rel=0.03)
    assert latency.details["canary_share_slower"] > 0.5
    assert decision.action is CanaryAction.ROLLBACK_RECOMMENDED


def test_continues_when_both_arms_behave_alike() -> None:
    decision = evaluate_canary(
        arm("7", "stable", steady(800, 7), errors=8), arm("8", "canary", steady(800, 8), errors=9), CONFIG, AT
    )
    assert decision.action is CanaryAction.CONTINUE
    assert not any(e.failed for e in decision.evidence) and decision.reasons == ()


def test_needs_enough_requests_on_both_arms() -> None:
    decision = evaluate_canary(
        arm("7", "stable", steady(5000, 9)), arm("8", "canary", steady(150, 10), errors=150), CONFIG, AT
    )
    assert decision.action is CanaryAction.INSUFFICIENT_DATA
    assert decision.reasons == ("canary arm has 150 requests < 200",)


def test_false_rollback_rate_on_identical_arms_stays_within_its_bound() -> None:
    """Both checks at level 1 %: over 200 identical canaries at most 6 rollbacks (P(>=7) = 0.5 % at 2 %)."""
    rng = np.random.default_rng(11)
    rollbacks = 0
    for _ in range(200):
        stable_errors, canary_errors = rng.binomial(500, 0.02, size=2)
        decision = evaluate_canary(
            arm("7", "stable", rng.lognormal(5, 0.5, 500), errors=int(stable_errors)),
            arm("8", "canary", rng.lognormal(5, 0.5, 500), errors=int(canary_errors)),
            CONFIG,
            AT,
        )
        rollbacks += decision.rollback_recommended
    assert rollbacks <= 6
