"""When a human review is required before release, and when a finished review lets the model through.

Defaults and why: free-text tasks always need people (overlap metrics miss wrong-but-similar answers); a gate
that passed within 10% of its perplexity limit is too close to trust alone; a model that got worse than base
on more than 10% of samples needs a person to judge those regressions. A review counts when at least 20 items
(or all, if fewer were sampled) have ratings from at least 2 reviewers; it passes when no tuned output was
flagged unsafe, tuned's mean per criterion is at most 0.25 below base's, and reviewers agree (alpha >= 0.667,
Krippendorff's threshold for tentative conclusions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tuneline.evaluation.gate.decision import GateDecision
from tuneline.evaluation.results import SampleResult
from tuneline.evaluation.review.aggregates import ReviewAggregates
from tuneline.evaluation.review.ratings import CRITERIA, Rating


@dataclass(frozen=True)
class ReviewPolicy:
    always_for_tasks: tuple[str, ...] = ("generation",)
    gate_margin: float = 0.10
    max_regression_share: float = 0.10
    min_items: int = 20
    min_reviewers_per_item: int = 2
    max_criterion_drop: float = 0.25
    min_alpha: float = 0.667
    max_unsafe: int = 0


@dataclass(frozen=True)
class ReviewDecision:
    required: bool
    reasons: list[str]


@dataclass(frozen=True)
class ReviewStatus:
    complete: bool
    passed: bool | None  # None until complete
    reasons: list[str]


def review_required(
    task: str, gate: GateDecision | None, samples: Sequence[SampleResult], policy: ReviewPolicy
) -> ReviewDecision:
    reasons = []
    if task in policy.always_for_tasks:
        reasons.append(f"{task} outputs are free text: automatic metrics alone cannot judge them")
    if gate is not None and gate.passed:
        limit = gate.thresholds.max_perplexity_ratio
        if gate.perplexity_ratio > limit * (1 - policy.gate_margin):
            reasons.append(
                f"the forgetting gate passed narrowly (perplexity ×{gate.perplexity_ratio:.2f}, limit ×{limit:.2f})"
            )
    if samples:
        worse = sum(s.tuned.score < s.base.score for s in samples) / len(samples)
        if worse > policy.max_regression_share:
            reasons.append(
                f"tuned did worse than base on {worse:.0%} of samples (more than {policy.max_regression_share:.0%})"
            )
    return ReviewDecision(required=bool(reasons), reasons=reasons or ["automatic metrics suffice for this model"])


def review_status(
    aggregates: ReviewAggregates, ratings: Sequence[Rating], sampled_items: int, policy: ReviewPolicy
) -> ReviewStatus:
    reviewers_per_item: dict[str, set[str]] = {}
    for rating in ratings:
        reviewers_per_item.setdefault(rating.item_id, set()).add(rating.reviewer)
    covered = sum(len(r) >= policy.min_reviewers_per_item for r in reviewers_per_item.values())
    needed = min(policy.min_items, sampled_items)
    if covered < needed:
        return ReviewStatus(
            complete=False,
            passed=None,
            reasons=[
                f"{covered} of the {needed} items needed have ratings from {policy.min_reviewers_per_item} reviewers"
            ],
        )
    failures = _failures(aggregates, policy)
    if failures:
        return ReviewStatus(complete=True, passed=False, reasons=failures)
    return ReviewStatus(
        complete=True, passed=True, reasons=["reviewers agree the tuned model is as good as base or better"]
    )


def _failures(aggregates: ReviewAggregates, policy: ReviewPolicy) -> list[str]:
    failures = []
    if aggregates.tuned.unsafe > policy.max_unsafe:
        failures.append(f"{aggregates.tuned.unsafe} tuned outputs were flagged unsafe")
    for criterion in CRITERIA:
        base, tuned = aggregates.base.criteria[criterion].mean, aggregates.tuned.criteria[criterion].mean
        if base is not None and tuned is not None and tuned < base - policy.max_criterion_drop:
            failures.append(f"{criterion}: tuned {tuned:.2f} vs base {base:.2f}, below the allowed drop")
        alpha = aggregates.agreement[criterion]
        if alpha is not None and alpha < policy.min_alpha:
            failures.append(
                f"reviewers disagree on {criterion} (alpha {alpha:.2f} < {policy.min_alpha}); add reviewers"
            )
    return failures
