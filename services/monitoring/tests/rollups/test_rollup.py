from datetime import UTC, datetime, timedelta

import pytest

from tuneline.monitoring.rollups.accumulator import RollupAccumulator
from tuneline.monitoring.rollups.pricing import PriceEntry, PriceTable
from tuneline.monitoring.rollups.rollup import Rollup, RollupKey, bucket_start, merge_window

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
PRICES = PriceTable({"*": PriceEntry(per_1k_input_tokens=0.01, per_1k_output_tokens=0.02)})


def test_one_minute_bucket_figures_are_the_hand_computed_ones(observation_factory) -> None:
    accumulator = RollupAccumulator(PRICES, bucket_seconds=60)
    rows = [(100.0, "ok", "a"), (200.0, "ok", "a"), (300.0, "error", "b"), (400.0, "timeout", "c")]
    for seconds, (latency, status, caller) in enumerate(rows):
        accumulator.add(
            observation_factory(
                latency_ms=latency, status=status, caller=caller, at=T0 + timedelta(seconds=10 * seconds)
            )
        )
    [rollup] = accumulator.drain()
    summary = rollup.summary()
    assert rollup.start == T0 and rollup.key == RollupKey("ticket-classifier", "3", "stable")
    assert (summary.requests, summary.errors, summary.timeouts) == (4, 1, 1)
    assert summary.error_rate == 0.25 and summary.timeout_rate == 0.25
    assert summary.latency_mean_ms == pytest.approx(250.0)
    # lower quantiles: p50 -> rank floor(0.5*3)=1 -> 200; p95, p99 -> rank 2 -> 300
    assert summary.latency_p50_ms == pytest.approx(200.0, rel=0.01)
    assert summary.latency_p95_ms == pytest.approx(300.0, rel=0.01)
    assert summary.latency_p99_ms == pytest.approx(300.0, rel=0.01)
    assert summary.latency_max_ms == 400.0
    assert (summary.tokens_in, summary.tokens_out) == (400, 40)
    # per request 0.1 * 0.01 + 0.01 * 0.02 = 0.0012
    assert summary.cost == pytest.approx(4 * 0.0012)
    assert summary.cost_per_request == pytest.approx(0.0012)
    assert summary.unique_callers == 3.0
    assert summary.unpriced_requests == 0


def test_buckets_split_on_minute_boundary_version_and_arm(observation_factory) -> None:
    accumulator = RollupAccumulator(PRICES, bucket_seconds=60)
    accumulator.add(observation_factory(at=T0 + timedelta(seconds=59, microseconds=999_999)))
    accumulator.add(observation_factory(at=T0 + timedelta(seconds=60)))
    accumulator.add(observation_factory(at=T0 + timedelta(seconds=5), arm="canary"))
    accumulator.add(observation_factory(at=T0 + timedelta(seconds=5), version="4"))
    drained = accumulator.drain()
    assert [(r.start - T0, r.key.version, r.key.arm, r.requests) for r in drained] == [
        (timedelta(0), "3", "canary", 1),
        (timedelta(0), "3", "stable", 1),
        (timedelta(0), "4", "stable", 1),
        (timedelta(seconds=60), "3", "stable", 1),
    ]


def test_bucket_start_is_epoch_aligned_across_time_zones() -> None:
    from datetime import timezone

    cet = timezone(timedelta(hours=1))
    assert bucket_start(datetime(2026, 3, 2, 13, 4, 59, tzinfo=cet), 300) == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="occurred_at"):
        bucket_start(datetime(2026, 3, 2, 12, 0), 60)


def test_accumulator_asks_for_a_flush_at_its_bound_and_drain_empties_it(observation_factory) -> None:
    accumulator = RollupAccumulator(PRICES, bucket_seconds=60, max_open_rollups=3)
    for minute in range(2):
        accumulator.add(observation_factory(at=T0 + timedelta(minutes=minute)))
    assert not accumulator.needs_flush
    accumulator.add(observation_factory(at=T0 + timedelta(minutes=2)))
    assert accumulator.needs_flush
    assert len(accumulator.drain()) == 3
    assert accumulator.open_rollups == 0 and not accumulator.needs_flush


def test_partial_rollups_from_two_flushes_merge_into_the_single_pass_figures(observation_factory) -> None:
    events = [
        observation_factory(latency_ms=float(10 + i), status="error" if i % 10 == 0 else "ok", caller=f"c{i % 7}")
        for i in range(100)
    ]
    single = RollupAccumulator(PRICES)
    single.add_all(events)
    [whole] = single.drain()

    split = RollupAccumulator(PRICES)
    split.add_all(events[:37])
    [first] = split.drain()
    split.add_all(events[37:])
    [second] = split.drain()
    stored = Rollup.from_dict(first.to_dict())  # as storage would hold it
    stored.merge(Rollup.from_dict(second.to_dict()))
    merged, expected = stored.summary().as_dict(), whole.summary().as_dict()
    assert merged.pop("cost") == pytest.approx(expected.pop("cost"))
    assert merged.pop("cost_per_request") == pytest.approx(expected.pop("cost_per_request"))
    assert merged == expected


def test_window_merges_only_buckets_starting_inside_it(observation_factory) -> None:
    accumulator = RollupAccumulator(PRICES)
    for minute in range(6):
        for _ in range(minute + 1):
            accumulator.add(observation_factory(at=T0 + timedelta(minutes=minute, seconds=1)))
    rollups = accumulator.drain()
    key = RollupKey("ticket-classifier", "3", "stable")
    window = merge_window(rollups, key, T0 + timedelta(minutes=2), T0 + timedelta(minutes=5))
    assert window.requests == 3 + 4 + 5
    assert window.bucket_seconds == 180
    with pytest.raises(ValueError, match="window"):
        merge_window(rollups, key, T0, T0)


def test_unpriced_requests_are_counted_not_costed(observation_factory) -> None:
    accumulator = RollupAccumulator(PriceTable({"other": PriceEntry(per_1k_input_tokens=1.0)}))
    accumulator.add(observation_factory())
    [rollup] = accumulator.drain()
    assert rollup.summary().unpriced_requests == 1
    assert rollup.summary().cost == 0.0
