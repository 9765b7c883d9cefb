"""Quality figures per time bucket and model version/arm; mergeable like the traffic roll-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tuneline.monitoring.proportions import two_proportion_z_test
from tuneline.monitoring.quality.signals import Rating
from tuneline.monitoring.rollups.rollup import RollupKey


@dataclass(slots=True)
class QualityBucket:
    key: RollupKey
    start: datetime
    bucket_seconds: int
    thumbs_up: int = 0
    thumbs_down: int = 0
    labelled: int = 0
    correct: int = 0

    def add_feedback(self, rating: Rating) -> None:
        if rating is Rating.UP:
            self.thumbs_up += 1
        else:
            self.thumbs_down += 1

    def add_judgement(self, correct: bool) -> None:
        self.labelled += 1
        self.correct += int(correct)

    def merge(self, other: QualityBucket) -> None:
        self.thumbs_up += other.thumbs_up
        self.thumbs_down += other.thumbs_down
        self.labelled += other.labelled
        self.correct += other.correct

    @property
    def feedback_count(self) -> int:
        return self.thumbs_up + self.thumbs_down

    @property
    def thumbs_up_rate(self) -> float | None:
        return self.thumbs_up / self.feedback_count if self.feedback_count else None

    @property
    def thumbs_down_rate(self) -> float | None:
        return self.thumbs_down / self.feedback_count if self.feedback_count else None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None

    def feedback_rate(self, requests: int) -> float | None:
        """Share of served requests that got a thumbs up or down."""
        return self.feedback_count / requests if requests else None


def merge_quality(buckets: Iterable[QualityBucket], key: RollupKey, start: datetime, end: datetime) -> QualityBucket:
    seconds = int((end - start).total_seconds())
    if seconds <= 0:
        raise ValueError(f"window: end {end.isoformat()} must be after start {start.isoformat()}")
    window = QualityBucket(key=key, start=start, bucket_seconds=seconds)
    for bucket in buckets:
        if start <= bucket.start < end:
            window.merge(bucket)
    return window


class TrendDirection(StrEnum):
    IMPROVING = "improving"
    STABLE = "stable"
    DEGRADING = "degrading"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class QualityTrend:
    direction: TrendDirection
    metric: str  # "accuracy" when ground truth exists, else "thumbs_up_rate"
    earlier: float | None
    recent: float | None
    p_value: float | None
    n_earlier: int
    n_recent: int


def quality_trend(
    earlier: QualityBucket, recent: QualityBucket, alpha: float = 0.01, min_samples: int = 30
) -> QualityTrend:
    """Compare a recent window with an earlier one; a change counts only when a z-test finds it significant.

    Accuracy is preferred (it is ground truth); thumbs up are used when too few labels arrived.
    """
    if earlier.labelled >= min_samples and recent.labelled >= min_samples:
        metric, good_a, n_a, good_b, n_b = (
            "accuracy",
            earlier.correct,
            earlier.labelled,
            recent.correct,
            recent.labelled,
        )
    else:
        metric = "thumbs_up_rate"
        good_a, n_a = earlier.thumbs_up, earlier.feedback_count
        good_b, n_b = recent.thumbs_up, recent.feedback_count
    if n_a < min_samples or n_b < min_samples:
        return QualityTrend(
            TrendDirection.UNKNOWN,
            metric,
            good_a / n_a if n_a else None,
            good_b / n_b if n_b else None,
            None,
            n_a,
            n_b,
        )
    worse = two_proportion_z_test(good_b, n_b, good_a, n_a)  # H1: earlier rate > recent rate
    better = two_proportion_z_test(good_a, n_a, good_b, n_b)
    if worse.p_value < alpha:
        direction, p_value = TrendDirection.DEGRADING, worse.p_value
    elif better.p_value < alpha:
        direction, p_value = TrendDirection.IMPROVING, better.p_value
    else:
        direction, p_value = TrendDirection.STABLE, min(worse.p_value, better.p_value)
    return QualityTrend(direction, metric, good_a / n_a, good_b / n_b, p_value, n_a, n_b)
