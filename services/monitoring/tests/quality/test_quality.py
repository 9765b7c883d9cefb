from datetime import UTC, datetime, timedelta

import pytest

from tuneline.monitoring.alerts.rules import Metric, readings_from_quality
from tuneline.monitoring.quality.bucket import QualityBucket, TrendDirection, merge_quality, quality_trend
from tuneline.monitoring.quality.signals import Feedback, Prediction, Rating, is_correct
from tuneline.monitoring.rollups.rollup import RollupKey

T0 = datetime(2026, 3, 2, tzinfo=UTC)
KEY = RollupKey("clf", "3", "stable")


def bucket(up: int = 0, down: int = 0, labelled: int = 0, correct: int = 0, start: datetime = T0) -> QualityBucket:
    return QualityBucket(
        key=KEY, start=start, bucket_seconds=3600, thumbs_up=up, thumbs_down=down, labelled=labelled, correct=correct
    )


def test_feedback_rates_and_accuracy_are_the_hand_computed_shares() -> None:
    b = bucket()
    for rating in [Rating.UP] * 6 + [Rating.DOWN] * 2:
        b.add_feedback(rating)
    for correct in [True] * 9 + [False]:
        b.add_judgement(correct)
    assert (b.thumbs_up_rate, b.thumbs_down_rate) == (0.75, 0.25)
    assert b.feedback_rate(requests=80) == 0.1
    assert b.accuracy == 0.9
    readings = readings_from_quality(b)
    assert (readings[Metric.THUMBS_DOWN_RATE].value, readings[Metric.THUMBS_DOWN_RATE].samples) == (0.25, 8)
    assert (readings[Metric.ACCURACY].value, readings[Metric.ACCURACY].samples) == (0.9, 10)


def test_empty_bucket_has_no_rates() -> None:
    b = bucket()
    assert b.thumbs_up_rate is None and b.accuracy is None and b.feedback_rate(0) is None


def test_labels_match_ignoring_case_and_whitespace() -> None:
    prediction = Prediction("r", KEY, "  Hardware  Fault", T0)
    assert is_correct(prediction, "hardware fault")
    assert not is_correct(prediction, "hardware")


def test_trend_is_degrading_when_recent_accuracy_is_significantly_lower() -> None:
    trend = quality_trend(bucket(labelled=400, correct=360), bucket(labelled=400, correct=300))
    assert trend.direction is TrendDirection.DEGRADING and trend.metric == "accuracy"
    assert (trend.earlier, trend.recent) == (0.9, 0.75)
    assert trend.p_value is not None and trend.p_value < 0.01


def test_trend_falls_back_to_thumbs_and_needs_significance() -> None:
    improving = quality_trend(bucket(up=50, down=50), bucket(up=80, down=20))
    assert improving.direction is TrendDirection.IMPROVING and improving.metric == "thumbs_up_rate"
    stable = quality_trend(bucket(up=50, down=50), bucket(up=53, down=47))
    assert stable.direction is TrendDirection.STABLE
    unknown = quality_trend(bucket(up=5), bucket(up=1))
    assert unknown.direction is TrendDirection.UNKNOWN


def test_merge_quality_adds_buckets_inside_the_window() -> None:
    buckets = [bucket(up=1, labelled=2, correct=1, start=T0 + timedelta(hours=h)) for h in range(4)]
    merged = merge_quality(buckets, KEY, T0 + timedelta(hours=1), T0 + timedelta(hours=3))
    assert (merged.thumbs_up, merged.labelled, merged.correct) == (2, 4, 2)


def test_feedback_names_a_bad_rating() -> None:
    with pytest.raises(ValueError, match="rating"):
        Feedback("r1", KEY, "meh", T0)  # type: ignore[arg-type]
    assert Feedback("r1", KEY, "up", T0).rating is Rating.UP  # type: ignore[arg-type]
