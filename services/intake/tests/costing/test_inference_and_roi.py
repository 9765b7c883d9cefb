from __future__ import annotations

import pytest

from tuneline.intake.costing.hardware import ServingProfile
from tuneline.intake.costing.inference import (
    HOURS_PER_MONTH,
    ApiPricing,
    api_cost_per_month,
    estimate_self_hosted,
)
from tuneline.intake.costing.roi import compare_with_prompting, payback_months, value_per_month

PROFILE = ServingProfile(
    "test",
    "Test GPU",
    usd_per_gpu_hour=2.0,
    serve_tokens_per_s=2000,
    reference_parameters=1_000_000_000,
)
DAYS = 365 / 12


def test_month_has_730_hours():
    assert pytest.approx(730) == HOURS_PER_MONTH


def test_always_on_replica_is_billed_for_the_whole_month():
    est = estimate_self_hosted(
        requests_per_day=1000, input_tokens=300, output_tokens=100, parameters=1_000_000_000, profile=PROFILE
    )
    # 1,000 × 30.4167 = 30,416.7 requests × 400 tokens = 12.17M tokens / 2,000 tok/s = 1.69 busy hours
    assert est.requests_per_month == pytest.approx(1000 * DAYS)
    assert est.tokens_per_month == pytest.approx(1000 * DAYS * 400)
    assert est.busy_gpu_hours == pytest.approx(1000 * DAYS * 400 / 2000 / 3600)
    assert est.billed_gpu_hours == pytest.approx(730)
    assert est.cost_usd_per_month == pytest.approx(1460)


def test_scale_to_zero_pays_only_busy_hours():
    est = estimate_self_hosted(
        requests_per_day=1000,
        input_tokens=300,
        output_tokens=100,
        parameters=1_000_000_000,
        profile=PROFILE,
        min_replicas=0,
    )
    assert est.cost_usd_per_month == pytest.approx(1000 * DAYS * 400 / 2000 / 3600 * 2.0)


def test_busy_hours_beyond_one_replica_are_billed_as_busy():
    # 1M requests/day × 1,000 tokens on a 1B model at 2,000 tok/s = 4,224.5 GPU-hours > 730
    est = estimate_self_hosted(
        requests_per_day=1_000_000, input_tokens=900, output_tokens=100, parameters=1_000_000_000, profile=PROFILE
    )
    assert est.billed_gpu_hours == pytest.approx(1_000_000 * DAYS * 1000 / 2000 / 3600)


def test_api_cost_is_tokens_times_price_per_million():
    pricing = ApiPricing("api", usd_per_million_input=2.0, usd_per_million_output=8.0)
    # per request (1,000 × 2 + 200 × 8) / 1e6 = $0.0036
    cost = api_cost_per_month(requests_per_day=1000, input_tokens=1000, output_tokens=200, pricing=pricing)
    assert cost == pytest.approx(1000 * DAYS * 0.0036)


def test_negative_volume_is_refused_by_name():
    with pytest.raises(ValueError, match="requests_per_day"):
        api_cost_per_month(requests_per_day=-1, input_tokens=1, output_tokens=1, pricing=ApiPricing("a", 1, 1))


def test_value_of_time_saved():
    assert value_per_month(tasks_per_month=2000, minutes_saved_per_task=3, hourly_cost_usd=60) == 6000


def test_payback_is_upfront_over_net_monthly_value():
    assert payback_months(upfront_usd=1200, value_per_month=500, running_cost_per_month=200) == 4
    assert payback_months(upfront_usd=1200, value_per_month=200, running_cost_per_month=200) is None
    assert payback_months(upfront_usd=0, value_per_month=0, running_cost_per_month=10) == 0


def test_twelve_month_comparison_when_fine_tuning_pays_off():
    c = compare_with_prompting(training_cost_usd=1000, fine_tuned_monthly_usd=100, prompting_monthly_usd=300)
    assert (c.fine_tuning_total_usd, c.prompting_total_usd, c.savings_usd) == (2200, 3600, 1400)
    assert c.break_even_month == 5
    assert c.fine_tuning_cheaper


def test_twelve_month_comparison_when_prompting_stays_cheaper():
    c = compare_with_prompting(training_cost_usd=50, fine_tuned_monthly_usd=1460, prompting_monthly_usd=75)
    assert c.savings_usd == pytest.approx(12 * 75 - (50 + 12 * 1460))
    assert c.break_even_month is None
    assert not c.fine_tuning_cheaper
