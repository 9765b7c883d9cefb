from __future__ import annotations

import pytest

from tuneline.common.costing import HardwareProfile
from tuneline.intake.costing.hardware import (
    DEFAULT_PROFILES,
    ServingProfile,
    load_profiles,
    serve_tokens_per_s,
)
from tuneline.intake.costing.training import estimate_training
from tuneline.intake.form import FineTuningMethod

# Round numbers so every expectation below is easy to check by hand.
PROFILE = ServingProfile(
    "test",
    "Test GPU",
    usd_per_gpu_hour=2.0,
    serve_tokens_per_s=2000,
    reference_parameters=1_000_000_000,
)
# LoRA on a 1B model costs 4e9 FLOP per token, so 4 effective TFLOP/s train 1,000 tokens per second.
TRAINING = HardwareProfile("test-train", "gpu", 24.0, usd_per_hour=2.0, effective_tflops=4.0)
LORA, QLORA, FULL = FineTuningMethod.LORA, FineTuningMethod.QLORA, FineTuningMethod.FULL


def test_serving_throughput_scales_inversely_with_model_size():
    assert serve_tokens_per_s(PROFILE, 4_000_000_000) == 500


def test_training_cost_is_tokens_over_throughput_times_price():
    # 1,000 examples × 500 tokens × 3 epochs = 1.5M tokens; at 800 tok/s (QLoRA: 5e9 FLOP/token) → 1,875 s → $1.0417
    est = estimate_training(
        examples=1000, tokens_per_example=500, epochs=3, parameters=1_000_000_000, method=QLORA, profile=TRAINING
    )
    assert est.training_tokens == 1_500_000
    assert est.wall_hours == pytest.approx(1875 / 3600)
    assert est.gpu_hours == pytest.approx(1875 / 3600)
    assert est.cost_usd == pytest.approx(1875 / 3600 * 2.0)


def test_more_gpus_shorten_the_run_without_changing_its_cost():
    args = dict(examples=1000, tokens_per_example=500, epochs=3, parameters=1_000_000_000, method=LORA)
    one = estimate_training(**args, profile=TRAINING, gpus=1)
    four = estimate_training(**args, profile=TRAINING, gpus=4)
    assert four.wall_hours == pytest.approx(one.wall_hours / 4)
    assert four.cost_usd == pytest.approx(one.cost_usd)


@pytest.mark.parametrize(("field", "value"), [("examples", -1), ("epochs", 0), ("gpus", 0)])
def test_training_estimate_names_the_bad_input(field, value):
    args = dict(examples=10, tokens_per_example=5, epochs=1, parameters=10, method=LORA, profile=TRAINING, gpus=1)
    args[field] = value
    with pytest.raises(ValueError, match=field):
        estimate_training(**args)


def test_profiles_load_from_configuration_and_errors_name_row_and_field():
    rows = [{"name": "x", "gpu_type": "X", "usd_per_gpu_hour": "1.5", "serve_tokens_per_s": 20}]
    assert load_profiles(rows)["x"].usd_per_gpu_hour == 1.5
    with pytest.raises(ValueError, match=r"row 1: missing serve_tokens_per_s"):
        load_profiles([*rows, {k: v for k, v in rows[0].items() if k != "serve_tokens_per_s"}])
    with pytest.raises(ValueError, match=r"row 0: .*serve_tokens_per_s must be positive"):
        load_profiles([{**rows[0], "serve_tokens_per_s": 0}])


def test_default_serving_table_is_internally_consistent():
    by_price = sorted(DEFAULT_PROFILES.values(), key=lambda p: p.usd_per_gpu_hour)
    assert [p.serve_tokens_per_s for p in by_price] == sorted(p.serve_tokens_per_s for p in by_price)
