import math

import numpy as np
import pytest

from tuneline.monitoring.rollups.sketch import LatencySketch


def exact_lower_quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.floor(q * (len(ordered) - 1))]


def test_quantiles_of_1_to_100_ms_are_within_one_percent_of_the_exact_lower_quantiles() -> None:
    sketch = LatencySketch(relative_accuracy=0.01)
    for value in range(1, 101):
        sketch.add(float(value))
    # floor(q * 99) -> ranks 49, 94, 98 -> values 50, 95, 99 ms.
    for q, exact in ((0.5, 50.0), (0.95, 95.0), (0.99, 99.0)):
        estimate = sketch.quantile(q)
        assert estimate is not None
        assert abs(estimate - exact) <= 0.01 * exact
    assert sketch.quantile(0.0) == 1.0
    assert sketch.quantile(1.0) == 100.0
    assert sketch.mean == pytest.approx(50.5)


def test_quantiles_of_a_heavy_tailed_sample_hold_the_relative_error_bound() -> None:
    rng = np.random.default_rng(7)
    values = rng.lognormal(mean=5.0, sigma=1.2, size=20_000)
    sketch = LatencySketch(relative_accuracy=0.02)
    sketch.add_many(values)
    for q in (0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999):
        exact = float(np.quantile(values, q, method="lower"))
        estimate = sketch.quantile(q)
        assert estimate is not None
        assert abs(estimate - exact) <= 0.02 * exact, q


def test_merging_sketches_gives_the_same_bins_as_one_sketch_of_all_values() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.exponential(80.0, 500), rng.exponential(300.0, 700)
    left, right, whole = LatencySketch(), LatencySketch(), LatencySketch()
    left.add_many(a)
    right.add_many(b)
    for value in np.concatenate([a, b]):
        whole.add(float(value))
    left.merge(right)
    assert left.bins == whole.bins
    assert left.count == 1200
    assert left.quantile(0.95) == whole.quantile(0.95)
    assert left.total == pytest.approx(whole.total)


def test_values_below_the_smallest_indexable_latency_count_as_zero() -> None:
    sketch = LatencySketch(min_indexable=0.001)
    for value in (0.0, 0.0005, 10.0, 20.0):
        sketch.add(value)
    assert sketch.zero_count == 2
    assert sketch.quantile(0.0) == 0.0
    assert sketch.quantile(0.3) == 0.0  # rank floor(0.3 * 3) = 0


def test_bin_cap_bounds_memory_and_keeps_the_high_quantiles_accurate() -> None:
    sketch = LatencySketch(relative_accuracy=0.01, max_bins=20)
    values = [1.1**i for i in range(200)]  # spans ~2,000 bins at 1 %
    sketch.add_many(values)
    assert len(sketch.bins) <= 20
    exact = exact_lower_quantile(values, 0.99)
    estimate = sketch.quantile(0.99)
    assert estimate is not None and abs(estimate - exact) <= 0.01 * exact


def test_count_above_counts_only_values_surely_above_the_threshold() -> None:
    sketch = LatencySketch()
    sketch.add_many([10.0, 20.0, 30.0, 500.0, 900.0])
    assert sketch.count_above(100.0) == 2
    assert sketch.count_above(1000.0) == 0
    assert sketch.count_above(0.0) == 5


def test_round_trip_through_a_dict_keeps_every_figure() -> None:
    sketch = LatencySketch()
    sketch.add_many([0.0, 3.0, 40.0, 41.0, 1000.0])
    restored = LatencySketch.from_dict(sketch.to_dict())
    assert restored.bins == sketch.bins
    assert restored.quantile(0.5) == sketch.quantile(0.5)
    assert (restored.minimum, restored.maximum, restored.count) == (0.0, 1000.0, 5)
    empty = LatencySketch.from_dict(LatencySketch().to_dict())
    assert empty.quantile(0.5) is None


def test_rejects_negative_latency_and_quantile_outside_zero_one() -> None:
    sketch = LatencySketch()
    with pytest.raises(ValueError, match="latency"):
        sketch.add(-1.0)
    with pytest.raises(ValueError, match="latency"):
        sketch.add_many([1.0, float("nan")])
    with pytest.raises(ValueError, match="q"):
        sketch.quantile(1.5)


def test_refuses_to_merge_sketches_of_different_accuracy() -> None:
    with pytest.raises(ValueError, match="relative_accuracy"):
        LatencySketch(relative_accuracy=0.01).merge(LatencySketch(relative_accuracy=0.02))
