"""Canary guard: is the canary arm measurably worse than the stable arm? Then recommend a rollback.

Failures: a request that ended in error or timeout failed for its caller. The guard runs a one-sided
two-proportion z-test on failure rates and needs both a significant result and an increase of at least
`min_failure_rate_increase` (so a big canary does not roll back over a 0.1-point blip).
Latency: the canary's p95 must exceed the stable p95 by `max_p95_ratio`, and the share of canary requests
slower than the stable p95 must be significantly above the stable share (about 5 % by definition), by the
same z-test. Both arms' shares come from their latency sketches (bins entirely above the stable p95), so
the test needs no stored latencies; the sketch's bin width makes it slightly conservative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tuneline.monitoring.proportions import two_proportion_z_test
from tuneline.monitoring.rollups.rollup import Rollup


class CanaryAction(StrEnum):
    ROLLBACK_RECOMMENDED = "rollback_recommended"
    CONTINUE = "continue"
    INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True, slots=True)
class CanaryGuardConfig:
    min_requests_per_arm: int = 200
    failure_alpha: float = 0.01
    min_failure_rate_increase: float = 0.01
    latency_alpha: float = 0.01
    max_p95_ratio: float = 1.2

    def __post_init__(self) -> None:
        if self.min_requests_per_arm < 1:
            raise ValueError(f"min_requests_per_arm: must be >= 1, got {self.min_requests_per_arm}")
        for name in ("failure_alpha", "latency_alpha"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ValueError(f"{name}: must be in (0, 1), got {getattr(self, name)}")
        if self.min_failure_rate_increase < 0:
            raise ValueError(f"min_failure_rate_increase: must be >= 0, got {self.min_failure_rate_increase}")
        if self.max_p95_ratio < 1.0:
            raise ValueError(f"max_p95_ratio: must be >= 1, got {self.max_p95_ratio}")


@dataclass(frozen=True, slots=True)
class CanaryEvidence:
    check: str
    failed: bool
    stable_value: float | None
    canary_value: float | None
    threshold: float
    z: float | None
    p_value: float | None
    alpha: float
    n_stable: int
    n_canary: int
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class CanaryDecision:
    action: CanaryAction
    model: str
    stable_version: str
    canary_version: str
    decided_at: datetime
    reasons: tuple[str, ...]
    evidence: tuple[CanaryEvidence, ...]

    @property
    def rollback_recommended(self) -> bool:
        return self.action is CanaryAction.ROLLBACK_RECOMMENDED

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "model": self.model,
            "stable_version": self.stable_version,
            "canary_version": self.canary_version,
            "decided_at": self.decided_at.isoformat(),
            "reasons": list(self.reasons),
            "evidence": [e.to_dict() for e in self.evidence],
        }


def _failure_check(stable: Rollup, canary: Rollup, config: CanaryGuardConfig) -> CanaryEvidence:
    stable_failed = stable.errors + stable.timeouts
    canary_failed = canary.errors + canary.timeouts
    test = two_proportion_z_test(stable_failed, stable.requests, canary_failed, canary.requests)
    failed = test.p_value < config.failure_alpha and test.rate_b - test.rate_a >= config.min_failure_rate_increase
    return CanaryEvidence(
        check="failure_rate",
        failed=failed,
        stable_value=test.rate_a,
        canary_value=test.rate_b,
        threshold=config.min_failure_rate_increase,
        z=test.z,
        p_value=test.p_value,
        alpha=config.failure_alpha,
        n_stable=stable.requests,
        n_canary=canary.requests,
        details={
            "test": "two_proportion_z_one_sided",
            "stable_failures": stable_failed,
            "canary_failures": canary_failed,
        },
    )


def _latency_check(stable: Rollup, canary: Rollup, config: CanaryGuardConfig) -> CanaryEvidence:
    stable_p95 = stable.latency.quantile(0.95)
    canary_p95 = canary.latency.quantile(0.95)
    assert stable_p95 is not None and canary_p95 is not None  # both arms have requests here
    stable_slow = stable.latency.count_above(stable_p95)
    canary_slow = canary.latency.count_above(stable_p95)
    test = two_proportion_z_test(stable_slow, stable.latency.count, canary_slow, canary.latency.count)
    ratio = canary_p95 / stable_p95 if stable_p95 > 0 else float("inf") if canary_p95 > 0 else 1.0
    failed = ratio > config.max_p95_ratio and test.p_value < config.latency_alpha
    return CanaryEvidence(
        check="latency_p95",
        failed=failed,
        stable_value=stable_p95,
        canary_value=canary_p95,
        threshold=config.max_p95_ratio,
        z=test.z,
        p_value=test.p_value,
        alpha=config.latency_alpha,
        n_stable=stable.latency.count,
        n_canary=canary.latency.count,
        details={
            "test": "two_proportion_z_one_sided on share slower than stable p95",
            "p95_ratio": ratio,
            "stable_share_slower": test.rate_a,
            "canary_share_slower": test.rate_b,
        },
    )


def evaluate_canary(stable: Rollup, canary: Rollup, config: CanaryGuardConfig, at: datetime) -> CanaryDecision:
    """Compare the two arms over the same window (callers merge each arm's buckets first)."""
    if stable.key.model != canary.key.model:
        raise ValueError(f"canary: arms belong to different models ({stable.key.model}, {canary.key.model})")
    common = {
        "model": stable.key.model,
        "stable_version": stable.key.version,
        "canary_version": canary.key.version,
        "decided_at": at,
    }
    short = [
        f"{arm} arm has {rollup.requests} requests < {config.min_requests_per_arm}"
        for arm, rollup in (("stable", stable), ("canary", canary))
        if rollup.requests < config.min_requests_per_arm
    ]
    if short:
        return CanaryDecision(action=CanaryAction.INSUFFICIENT_DATA, reasons=tuple(short), evidence=(), **common)
    evidence = (_failure_check(stable, canary, config), _latency_check(stable, canary, config))
    reasons = tuple(_reason(e) for e in evidence if e.failed)
    action = CanaryAction.ROLLBACK_RECOMMENDED if reasons else CanaryAction.CONTINUE
    return CanaryDecision(action=action, reasons=reasons, evidence=evidence, **common)


def _reason(evidence: CanaryEvidence) -> str:
    if evidence.check == "failure_rate":
        return (
            f"canary failure rate {evidence.canary_value:.2%} vs stable {evidence.stable_value:.2%} "
            f"(z = {evidence.z:.2f}, one-sided p = {evidence.p_value:.2g} < {evidence.alpha})"
        )
    return (
        f"canary p95 {evidence.canary_value:.0f} ms vs stable {evidence.stable_value:.0f} ms "
        f"(ratio {evidence.details['p95_ratio']:.2f} > {evidence.threshold}, p = {evidence.p_value:.2g})"
    )
