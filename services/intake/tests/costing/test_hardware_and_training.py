from __future__ import annotations

import pytest

from tuneline.intake.costing.hardware import (
    DEFAULT_PROFILES,
    HardwareProfile,
    load_profiles,
    refine_training_throughput,
    serve_tokens_per_s,
    train_tokens_per_s,
)
from tuneline.intake.costing.training import estimate_training
from tuneline.intake.usecases.form import FineTuningMethod

# Round numbers so every expectation below is easy to check by hand.
PROFILE = HardwareProfile(
    "test",
    "Test GPU",
    usd_per_gpu_hour=2.0,
    train_tokens_per_s=1000,
    serve_tokens_per_s=2000,
    reference_parameters=1_000_000_000,
)
LORA, QLORA, FULL = FineTuningMethod.LORA, FineTuningMethod.QLORA, FineTuningMethod.FULL


def test_throughput_scales_inversely_with_model_size_and_by_method():
    assert train_tokens_per_s(PROFILE, 1_000_000_000, LORA) == 1000
    assert train_tokens_per_s(PROFILE, 2_000_000_000, LORA) == 500
    assert train_tokens_per_s(PROFILE, 1_000_000_000, QLORA) == 800
    assert train_tokens_per_s(PROFILE, 500_000_000, FULL) == pytest.approx(700)
    assert serve_tokens_per_s(PROFILE, 4_000_000_000) == 500


def test_training_cost_is_tokens_over_throughput_times_price():
    # 1,000 examples × 500 tokens × 3 epochs = 1.5M tokens; at 800 tok/s (QLoRA) → 1,875 s = 0.5208 h → $1.0417
    est = estimate_training(
        examples=1000, tokens_per_example=500, epochs=3, parameters=1_000_000_000, method=QLORA, profile=PROFILE
    )
    assert est.training_tokens == 1_500_000
    assert est.wall_hours == pytest.approx(1875 / 3600)
    assert est.gpu_hours == pytest.approx(1875 / 3600)
    assert est.cost_usd == pytest.approx(1875 / 3600 * 2.0)


def test_more_gpus_shorten_the_run_without_changing_its_cost():
    args = dict(examples=1000, tokens_per_example=500, epochs=3, parameters=1_000_000_000, method=LORA)
    one = estimate_training(**args, profile=PROFILE, gpus=1)
    four = estimate_training(**args, profile=PROFILE, gpus=4)
    assert four.wall_hours == pytest.approx(one.wall_hours / 4)
    assert four.cost_usd == pytest.approx(one.cost_usd)


@pytest.mark.parametrize(("field", "value"), [("examples", -1), ("epochs", 0), ("gpus", 0)])
def test_training_estimate_names_the_bad_input(field, value):
    args = dict(examples=10, tokens_per_example=5, epochs=1, parameters=10, method=LORA, profile=PROFILE, gpus=1)
    args[field] = value
    with pytest.raises(ValueError, match=field):
        estimate_training(**args)


def test_measured_job_throughput_replaces_the_planning_figure():
    # 1.2M tokens in 600 s on 2 GPUs = 1,000 tok/s per GPU on a 2B model with QLoRA.
    refined = refine_training_throughput(
        PROFILE, tokens=1_200_000, seconds=600, gpus=2, parameters=2_000_000_000, method=QLORA
    )
    assert refined.train_tokens_per_s == pytest.approx(1000 * 2 / 0.8)  # back at 1B reference, LoRA
    assert train_tokens_per_s(refined, 2_000_000_000, QLORA) == pytest.approx(1000)
    assert refined.usd_per_gpu_hour == PROFILE.usd_per_gpu_hour


def test_profiles_load_from_configuration_and_errors_name_row_and_field():
    rows = [
        {"name": "x", "gpu_type": "X", "usd_per_gpu_hour": "1.5", "train_tokens_per_s": 10, "serve_tokens_per_s": 20}
    ]
    assert load_profiles(rows)["x"].usd_per_gpu_hour == 1.5
    with pytest.raises(ValueError, match=r"row 1: missing serve_tokens_per_s"):
        load_profiles([*rows, {k: v for k, v in rows[0].items() if k != "serve_tokens_per_s"}])
    with pytest.raises(ValueError, match=r"row 0: .*train_tokens_per_s must be positive"):
        load_profiles([{**rows[0], "train_tokens_per_s": 0}])


def test_default_table_is_internally_consistent():
    for profile in DEFAULT_PROFILES.values():
        assert profile.serve_tokens_per_s > profile.train_tokens_per_s  # serving is forward-only
    by_price = sorted(DEFAULT_PROFILES.values(), key=lambda p: p.usd_per_gpu_hour)
    assert [p.train_tokens_per_s for p in by_price] == sorted(p.train_tokens_per_s for p in by_price)
