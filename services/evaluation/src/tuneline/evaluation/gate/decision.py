"""The release decision of the forgetting gate, with its reasons in words.

Default thresholds, and why: on the maintenance-log task a good LoRA raised general-text perplexity
29.8 → 36.6 (×1.23) while a forgetting one reached 64.3 (×2.16). A ratio limit of ×1.5 passes the first with
room for run-to-run noise and fails the second clearly (the geometric midpoint of the two is ×1.63; ×1.5
leans to caution). The suite may drop at most 10 points (0.10 absolute): with ~40 items one item is 2.5
points, so a change of one or two items is noise, four or more is a real loss. An absolute perplexity
ceiling is optional because it depends on the base model.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class GateThresholds:
    """max_perplexity_ratio: tuned/base general-text perplexity above this fails (default 1.5).
    max_suite_drop: base suite score minus tuned suite score (0-1 scale) above this fails (default 0.10).
    max_perplexity: optional absolute ceiling on tuned general-text perplexity (default None = off)."""

    max_perplexity_ratio: float = 1.5
    max_suite_drop: float = 0.10
    max_perplexity: float | None = None

    def __post_init__(self) -> None:
        if self.max_perplexity_ratio < 1.0:
            raise ValueError(f"max_perplexity_ratio must be >= 1.0, got {self.max_perplexity_ratio}")
        if not 0.0 <= self.max_suite_drop <= 1.0:
            raise ValueError(f"max_suite_drop must be within 0..1, got {self.max_suite_drop}")
        if self.max_perplexity is not None and self.max_perplexity <= 1.0:
            raise ValueError(f"max_perplexity must be > 1.0, got {self.max_perplexity}")


@dataclass(frozen=True)
class CapabilityScores:
    """General capability of one model: general-text perplexity and instruction-suite score (0-1)."""

    perplexity: float
    suite_score: float
    suite_per_category: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.perplexity >= 1.0:  # also rejects NaN
            raise ValueError(f"perplexity must be a number >= 1.0, got {self.perplexity}")
        if not 0.0 <= self.suite_score <= 1.0:
            raise ValueError(f"suite_score must be within 0..1, got {self.suite_score}")


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    reasons: list[str]
    perplexity_ratio: float
    suite_drop: float
    base: CapabilityScores
    tuned: CapabilityScores
    thresholds: GateThresholds


def decide(base: CapabilityScores, tuned: CapabilityScores, thresholds: GateThresholds) -> GateDecision:
    ratio = tuned.perplexity / base.perplexity
    drop = base.suite_score - tuned.suite_score
    failures: list[str] = []
    passes: list[str] = []
    change = f"general-text perplexity went from {base.perplexity:.2f} to {tuned.perplexity:.2f} (×{ratio:.2f})"
    if ratio > thresholds.max_perplexity_ratio:
        failures.append(f"{change}, above the allowed ×{thresholds.max_perplexity_ratio:.2f}: the model forgot")
    else:
        passes.append(f"{change}, within the allowed ×{thresholds.max_perplexity_ratio:.2f}")
    if thresholds.max_perplexity is not None:
        if tuned.perplexity > thresholds.max_perplexity:
            failures.append(
                f"tuned general-text perplexity {tuned.perplexity:.2f} exceeds the ceiling "
                f"{thresholds.max_perplexity:.2f}"
            )
        else:
            passes.append(f"tuned general-text perplexity is under the ceiling {thresholds.max_perplexity:.2f}")
    suite = (
        f"general suite score went from {base.suite_score:.0%} to {tuned.suite_score:.0%} ({-drop * 100:+.1f} points)"
    )
    if drop > thresholds.max_suite_drop + 1e-12:
        failures.append(f"{suite}, a drop beyond the allowed {thresholds.max_suite_drop * 100:.1f} points")
        failures.extend(_category_losses(base, tuned))
    else:
        passes.append(f"{suite}, within the allowed drop of {thresholds.max_suite_drop * 100:.1f} points")
    return GateDecision(
        passed=not failures,
        reasons=failures if failures else passes,
        perplexity_ratio=ratio,
        suite_drop=drop,
        base=base,
        tuned=tuned,
        thresholds=thresholds,
    )


def _category_losses(base: CapabilityScores, tuned: CapabilityScores) -> list[str]:
    losses = []
    for category, before in base.suite_per_category.items():
        after = tuned.suite_per_category.get(category)
        if after is not None and after < before:
            losses.append(f"category {category} fell from {before:.0%} to {after:.0%}")
    return losses
