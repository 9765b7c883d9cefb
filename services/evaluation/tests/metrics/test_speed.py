import pytest

from tuneline.evaluation.metrics.speed import SampleTiming, summarise_speed


def test_speed_summary_matches_hand_computation():
    timings = [SampleTiming(0.5, 10), SampleTiming(0.25, 10), SampleTiming(1.0, 10)]
    summary = summarise_speed(timings)
    assert [t.tokens_per_s for t in timings] == [20.0, 40.0, 10.0]
    assert summary.tokens_per_s_mean == pytest.approx(70 / 3)
    assert summary.throughput_tokens_per_s == pytest.approx(30 / 1.75)
    assert summary.latency_ms_mean == pytest.approx(1750 / 3)
    assert summary.latency_ms_p50 == pytest.approx(500.0)
    # Linear interpolation between 500 and 1000 at rank 0.95·2 = 1.9.
    assert summary.latency_ms_p95 == pytest.approx(950.0)


def test_rejects_zero_latency_and_names_the_sample():
    with pytest.raises(ValueError, match="sample 1"):
        summarise_speed([SampleTiming(0.1, 1), SampleTiming(0.0, 1)])
