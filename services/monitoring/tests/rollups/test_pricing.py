import pytest

from tuneline.monitoring.rollups.pricing import PriceEntry, PriceTable


def test_token_prices_are_per_thousand_tokens(observation_factory) -> None:
    table = PriceTable({"ticket-classifier": PriceEntry(per_1k_input_tokens=0.002, per_1k_output_tokens=0.004)})
    # 1500/1000 * 0.002 + 500/1000 * 0.004 = 0.003 + 0.002
    cost = table.cost_of(observation_factory(tokens_in=1500, tokens_out=500))
    assert cost == pytest.approx(0.005)


def test_gpu_seconds_come_from_the_server_or_else_from_latency(observation_factory) -> None:
    table = PriceTable({"*": PriceEntry(per_gpu_second=0.001, gpus_per_request=0.5)})
    reported = observation_factory(latency_ms=250.0, gpu_seconds=2.0, tokens_in=0, tokens_out=0)
    inferred = observation_factory(latency_ms=250.0, tokens_in=0, tokens_out=0)
    assert table.cost_of(reported) == pytest.approx(0.002)
    assert table.cost_of(inferred) == pytest.approx(0.25 * 0.5 * 0.001)


def test_model_entry_wins_over_default_and_unknown_model_without_default_is_unpriced(
    observation_factory,
) -> None:
    both = PriceTable({"*": PriceEntry(per_1k_input_tokens=1.0), "m": PriceEntry(per_1k_input_tokens=2.0)})
    assert both.cost_of(observation_factory(model="m", tokens_in=1000, tokens_out=0)) == pytest.approx(2.0)
    assert both.cost_of(observation_factory(model="x", tokens_in=1000, tokens_out=0)) == pytest.approx(1.0)
    assert PriceTable({"m": PriceEntry()}).cost_of(observation_factory(model="x")) is None


def test_from_mapping_names_the_bad_entry() -> None:
    with pytest.raises(ValueError, match=r"price_table\['m'\].*per_gpu_second"):
        PriceTable.from_mapping({"m": {"per_gpu_second": -1}})
    with pytest.raises(ValueError, match=r"price_table\['m'\]"):
        PriceTable.from_mapping({"m": {"per_token": 1}})
