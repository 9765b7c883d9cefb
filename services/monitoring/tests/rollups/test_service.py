from datetime import UTC, datetime, timedelta

import pytest

from tuneline.common.errors import InvalidInput
from tuneline.common.settings import ConfigurationError, load_settings
from tuneline.monitoring.rollups.accumulator import RollupAccumulator
from tuneline.monitoring.rollups.pricing import PriceEntry, PriceTable
from tuneline.monitoring.rollups.rollup import RollupKey
from tuneline.monitoring.rollups.service import costs, current, series
from tuneline.monitoring.settings import MonitoringSettings

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PRICES = PriceTable({"*": PriceEntry(per_1k_input_tokens=1.0)})


def rollups(observation_factory, spec):
    accumulator = RollupAccumulator(PRICES)
    for minute, version, arm, count in spec:
        for _ in range(count):
            accumulator.add(observation_factory(at=T0 + timedelta(minutes=minute, seconds=1), version=version, arm=arm))
    return accumulator.drain()


def test_series_merges_minutes_into_five_minute_points_per_arm(observation_factory) -> None:
    data = rollups(
        observation_factory,
        [(0, "3", "stable", 2), (4, "3", "stable", 3), (5, "3", "stable", 7), (1, "4", "canary", 1)],
    )
    points = series(data, T0, T0 + timedelta(minutes=10), 300)
    assert [(p.start - T0, p.key.version, p.key.arm, p.summary.requests) for p in points] == [
        (timedelta(0), "3", "stable", 5),
        (timedelta(0), "4", "canary", 1),
        (timedelta(minutes=5), "3", "stable", 7),
    ]
    whole_model = series(data, T0, T0 + timedelta(minutes=10), 600, by_arm=False)
    assert [(p.key, p.summary.requests) for p in whole_model] == [(RollupKey("ticket-classifier", "*", "*"), 13)]


def test_series_refuses_too_many_points_and_reversed_ranges(observation_factory) -> None:
    with pytest.raises(InvalidInput) as caught:
        series([], T0, T0 + timedelta(days=30), 60)
    assert caught.value.field == "step_seconds"
    with pytest.raises(InvalidInput) as caught:
        series([], T0, T0 - timedelta(minutes=1), 60)
    assert caught.value.field == "end"


def test_current_and_costs_group_by_arm_and_by_version(observation_factory) -> None:
    data = rollups(observation_factory, [(0, "3", "stable", 4), (1, "3", "canary", 2), (1, "4", "stable", 1)])
    figures = current(data, T0, T0 + timedelta(minutes=5))
    assert {(k.version, k.arm): s.requests for k, s in figures.items()} == {
        ("3", "canary"): 2,
        ("3", "stable"): 4,
        ("4", "stable"): 1,
    }
    per_version = costs(data, T0, T0 + timedelta(minutes=5))
    # 100 input tokens at 1.0 per 1k = 0.1 per request
    assert per_version[("ticket-classifier", "3")].cost == pytest.approx(0.6)
    assert per_version[("ticket-classifier", "4")].cost == pytest.approx(0.1)


def test_settings_name_a_bad_price_table_entry(monkeypatch) -> None:
    monkeypatch.setenv("TUNELINE_PRICE_TABLE", '{"m": {"per_gpu_second": -1}}')
    with pytest.raises(ConfigurationError, match=r"TUNELINE_PRICE_TABLE.*price_table\['m'\]"):
        load_settings(MonitoringSettings)
