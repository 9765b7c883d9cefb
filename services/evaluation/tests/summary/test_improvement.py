import pytest

from tuneline.evaluation.summary.improvement import compare


def test_changes_carry_absolute_percent_and_direction():
    changes = {
        c.metric: c for c in compare({"accuracy": 0.5, "perplexity": 20.0}, {"accuracy": 0.8, "perplexity": 25.0})
    }
    accuracy, perplexity = changes["accuracy"], changes["perplexity"]
    assert (accuracy.absolute, accuracy.percent, accuracy.improved) == pytest.approx((0.3, 60.0, True))
    assert perplexity.absolute == pytest.approx(5.0)
    assert perplexity.percent == pytest.approx(25.0)
    assert not perplexity.improved and not perplexity.higher_is_better


def test_percent_is_undefined_when_base_is_zero():
    (change,) = compare({"accuracy": 0.0}, {"accuracy": 0.4})
    assert change.percent is None and change.improved


def test_metrics_missing_on_one_side_are_skipped():
    assert [c.metric for c in compare({"a": 1.0, "b": 1.0}, {"b": 2.0})] == ["b"]
