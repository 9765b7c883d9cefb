from __future__ import annotations

import pytest

from tuneline.common.costing import HardwareProfile
from tuneline.intake.costing.estimate import CostAssumptions, estimate_costs
from tuneline.intake.costing.hardware import ServingProfile
from tuneline.intake.costing.inference import ApiPricing
from tuneline.intake.usecases.validation import validate_submission

DAYS = 365 / 12
PROFILE = ServingProfile(
    "test",
    "Test GPU",
    usd_per_gpu_hour=2.0,
    serve_tokens_per_s=2000,
    reference_parameters=1_000_000_000,
)
# LoRA on a 1B model costs 4e9 FLOP per token, so 4 effective TFLOP/s train 1,000 tokens per second.
TRAINING = HardwareProfile("test-train", "gpu", 24.0, usd_per_hour=2.0, effective_tflops=4.0)
ASSUMPTIONS = CostAssumptions(
    profiles={"test": PROFILE},
    training_hardware=TRAINING,
    serving_profile="test",
    prompting=ApiPricing("api", usd_per_million_input=2.0, usd_per_million_output=8.0),
    instruction_tokens=150,
    rag_context_tokens=1500,
)
# 400 characters in (100 tokens), 40 out (10 tokens) at 4 characters per token.
PAIRS = [{"input": "i" * 400, "desired_output": "o" * 40}] * 3


@pytest.fixture
def form(form_data):
    return validate_submission(
        form_data(examples=PAIRS, candidate_base_model="our-model", base_model_parameters=1_000_000_000)
    )


def test_tokens_come_from_the_examples(form):
    t = estimate_costs(form, ASSUMPTIONS).tokens
    assert (t.per_training_example, t.request_input, t.request_output) == (110, 100, 10)
    assert t.prompting_input == 150 + 3 * 110 + 100  # instruction + the three pairs + the request
    assert t.rag_input == 150 + 1500 + 100


def test_stated_request_sizes_override_the_examples(form_data):
    form = validate_submission(
        form_data(
            examples=PAIRS,
            base_model_parameters=1_000_000_000,
            request_volume={"requests_per_day": 10, "avg_input_tokens": 700, "avg_output_tokens": 70},
        )
    )
    t = estimate_costs(form, ASSUMPTIONS).tokens
    assert (t.request_input, t.request_output, t.prompting_input) == (700, 70, 150 + 330 + 700)


def test_estimate_from_the_form_hand_computed(form):
    est = estimate_costs(form, ASSUMPTIONS)
    # training: 4,000 examples × 110 tokens × 3 epochs (balanced) = 1.32M tokens / 1,000 tok/s = 1,320 s
    assert (est.training_examples, est.epochs, est.training.training_tokens) == (4000, 3, 1_320_000)
    assert est.training.cost_usd == pytest.approx(1320 / 3600 * 2.0)
    # serving: 2,000 requests/day is far below one always-on replica's capacity → 730 h × $2
    assert est.inference.cost_usd_per_month == pytest.approx(1460)
    # few-shot through the API: (580 × $2 + 10 × $8) / 1e6 per request
    assert est.prompting_monthly_usd == pytest.approx(2000 * DAYS * (580 * 2 + 10 * 8) / 1e6)
    assert est.rag_monthly_usd == pytest.approx(2000 * DAYS * (1750 * 2 + 10 * 8) / 1e6)
    # value: 2,000 × 30.42 tasks × 3 min / 60 × $60
    assert est.tasks_per_month == pytest.approx(2000 * DAYS)
    assert est.value_per_month_usd == pytest.approx(2000 * DAYS * 3)
    assert est.payback_months == pytest.approx((1320 / 3600 * 2.0) / (2000 * DAYS * 3 - 1460))
    assert est.comparison.fine_tuning_total_usd == pytest.approx(1320 / 3600 * 2.0 + 12 * 1460)
    assert not est.comparison.fine_tuning_cheaper


def test_preset_sets_the_epochs_and_large_sources_are_sampled(form_data):
    data = form_data(examples=PAIRS, base_model_parameters=1_000_000_000, policy={"training_preset": "Quick Start"})
    data["data_sources"][0]["volume_estimate"] = 250_000
    est = estimate_costs(validate_submission(data), ASSUMPTIONS)
    assert (est.training_examples, est.epochs) == (20_000, 1)
    assert est.training.training_tokens == 20_000 * 110


def test_explicit_task_count_overrides_the_request_volume(form_data):
    form = validate_submission(
        form_data(time_savings={"minutes_saved_per_task": 10, "hourly_cost_usd": 60, "tasks_per_month": 500})
    )
    assert estimate_costs(form, ASSUMPTIONS).value_per_month_usd == pytest.approx(500 * 10)


def test_unknown_serving_profile_is_named(form):
    with pytest.raises(ValueError, match="unknown hardware profile 'h200'; known: test"):
        estimate_costs(form, CostAssumptions(profiles={"test": PROFILE}, serving_profile="h200"))


def test_default_assumptions_produce_a_complete_estimate(form_data):
    est = estimate_costs(validate_submission(form_data()))
    assert est.training.profile == "cpu-2core" and est.inference.profile == "l4"
    assert est.training.cost_usd > 0 and est.prompting_monthly_usd > 0
