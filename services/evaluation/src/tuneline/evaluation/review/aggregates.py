"""Review aggregates per model and criterion, preference between the two, and agreement per criterion."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from tuneline.evaluation.review.agreement import krippendorff_alpha
from tuneline.evaluation.review.ratings import CRITERIA, Rating
from tuneline.evaluation.review.sampling import BlindItem


@dataclass(frozen=True)
class CriterionSummary:
    mean: float | None
    count: int


@dataclass(frozen=True)
class ModelReview:
    criteria: dict[str, CriterionSummary]
    overall: float | None  # mean of the four criterion means
    unsafe: int  # ratings that flagged the output as unsafe
    ratings: int


@dataclass(frozen=True)
class ReviewAggregates:
    base: ModelReview
    tuned: ModelReview
    agreement: dict[str, float | None]  # Krippendorff's alpha (ordinal) per criterion
    tuned_preferred: int  # (item, reviewer) pairs where tuned's mean score beat base's
    base_preferred: int
    ties: int
    items_rated: int  # items with at least one rating
    reviewers: int


def _model_review(ratings: Sequence[Rating]) -> ModelReview:
    criteria = {}
    for criterion in CRITERIA:
        values = [r.score(criterion) for r in ratings]
        criteria[criterion] = CriterionSummary(sum(values) / len(values) if values else None, len(values))
    means = [c.mean for c in criteria.values() if c.mean is not None]
    return ModelReview(
        criteria=criteria,
        overall=sum(means) / len(means) if means else None,
        unsafe=sum(not r.safe for r in ratings),
        ratings=len(ratings),
    )


def aggregate(items: Sequence[BlindItem], ratings: Sequence[Rating]) -> ReviewAggregates:
    by_id = {item.item_id: item for item in items}
    for rating in ratings:
        if rating.item_id not in by_id:
            raise ValueError(f"rating by {rating.reviewer} names unknown item_id {rating.item_id!r}")
    by_model: dict[str, list[Rating]] = {"base": [], "tuned": []}
    for rating in ratings:
        by_model[by_id[rating.item_id].model_of(rating.side)].append(rating)
    reviewers = sorted({r.reviewer for r in ratings})
    return ReviewAggregates(
        base=_model_review(by_model["base"]),
        tuned=_model_review(by_model["tuned"]),
        agreement={c: _alpha(ratings, reviewers, c) for c in CRITERIA},
        **_preferences(by_id, ratings),
        items_rated=len({r.item_id for r in ratings}),
        reviewers=len(reviewers),
    )


def _alpha(ratings: Sequence[Rating], reviewers: list[str], criterion: str) -> float | None:
    """Units are (item, side) outputs; coders are reviewers."""
    table: dict[tuple[str, str], dict[str, int]] = {}
    for rating in ratings:
        table.setdefault((rating.item_id, rating.side), {})[rating.reviewer] = rating.score(criterion)
    units: list[list[Hashable | None]] = [[row.get(r) for r in reviewers] for row in table.values()]
    return krippendorff_alpha(units, "ordinal")


def _preferences(by_id: dict[str, BlindItem], ratings: Sequence[Rating]) -> dict[str, int]:
    pairs: dict[tuple[str, str], dict[str, float]] = {}
    for rating in ratings:
        model = by_id[rating.item_id].model_of(rating.side)
        pairs.setdefault((rating.item_id, rating.reviewer), {})[model] = rating.mean
    counts = {"tuned_preferred": 0, "base_preferred": 0, "ties": 0}
    for scores in pairs.values():
        if len(scores) < 2:
            continue
        if scores["tuned"] > scores["base"]:
            counts["tuned_preferred"] += 1
        elif scores["tuned"] < scores["base"]:
            counts["base_preferred"] += 1
        else:
            counts["ties"] += 1
    return counts
