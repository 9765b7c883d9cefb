import pytest

from tuneline.monitoring.rollups.distinct import DistinctCounter


def test_counts_exactly_while_below_the_exact_limit() -> None:
    counter = DistinctCounter(exact_limit=256)
    for i in range(1000):
        counter.add(f"caller-{i % 200}")
    assert counter.is_exact
    assert counter.estimate() == 200.0


def test_switches_to_hyperloglog_past_the_limit_and_stays_within_three_standard_errors() -> None:
    counter = DistinctCounter(precision=12, exact_limit=256)
    for i in range(20_000):
        counter.add(f"caller-{i}")
        counter.add(f"caller-{i}")  # duplicates must not count
    assert not counter.is_exact
    relative_error = abs(counter.estimate() - 20_000) / 20_000
    assert relative_error <= 3 * 1.04 / 64  # 3 sigma at 4,096 registers = 4.9 %


def test_small_range_uses_linear_counting_and_is_close_to_exact() -> None:
    counter = DistinctCounter(exact_limit=0)
    for i in range(300):
        counter.add(f"u{i}")
    assert abs(counter.estimate() - 300) <= 10


def test_merge_of_overlapping_sets_counts_the_union() -> None:
    left, right = DistinctCounter(exact_limit=100), DistinctCounter(exact_limit=100)
    for i in range(80):
        left.add(f"c{i}")
    for i in range(60, 120):
        right.add(f"c{i}")
    left.merge(right)
    assert not left.is_exact  # 120 > limit 100
    assert abs(left.estimate() - 120) <= 6

    big_a, big_b = DistinctCounter(exact_limit=10), DistinctCounter(exact_limit=10)
    for i in range(5000):
        big_a.add(f"x{i}")
    for i in range(2500, 7500):
        big_b.add(f"x{i}")
    big_a.merge(big_b)
    assert abs(big_a.estimate() - 7500) / 7500 <= 0.05


def test_round_trip_through_a_dict_in_both_forms() -> None:
    exact = DistinctCounter()
    exact.add("a")
    exact.add("b")
    assert DistinctCounter.from_dict(exact.to_dict()).estimate() == 2.0
    sketch = DistinctCounter(exact_limit=1)
    for i in range(1000):
        sketch.add(str(i))
    restored = DistinctCounter.from_dict(sketch.to_dict())
    assert restored.estimate() == pytest.approx(sketch.estimate())


def test_rejects_mismatched_precision_on_merge() -> None:
    with pytest.raises(ValueError, match="precision"):
        DistinctCounter(precision=10).merge(DistinctCounter(precision=12))
