from __future__ import annotations

import pytest

from tuneline.common.costing import (
    DEFAULT_PROFILES,
    HardwareProfile,
    default_profile,
    estimate_duration,
    flops_per_token,
    fold_measurement,
    with_measurements,
)

pytestmark = pytest.mark.unit

GPU = HardwareProfile("test-gpu", "gpu", 24.0, usd_per_hour=2.0, effective_tflops=10.0)


def test_unknown_profile_and_method_are_named():
    with pytest.raises(KeyError, match="unknown hardware profile 'tpu'; known: cpu-2core"):
        default_profile("tpu")
    with pytest.raises(ValueError, match="unknown fine-tuning method 'dora'"):
        flops_per_token(1_000, "dora")
    with pytest.raises(ValueError, match="parameters must be positive"):
        estimate_duration(1, 1, 0, "lora", GPU)


def test_a_measured_job_moves_the_profile_a_smoothing_step_towards_what_it_measured():
    # 1B LoRA = 4e9 FLOP/token; 1M tokens in 200 s = 5,000 tok/s = 20 TFLOP/s measured; halfway from 10 is 15.
    updated = fold_measurement(GPU, params=1_000_000_000, method="lora", tokens=1_000_000, seconds=200, smoothing=0.5)
    assert (updated.effective_tflops, updated.measurements) == (15.0, 1)
    assert updated.usd_per_hour == GPU.usd_per_hour
    with pytest.raises(ValueError, match="must be > 0"):
        fold_measurement(GPU, params=1, method="lora", tokens=0, seconds=1)


def test_measurements_replace_only_the_profiles_they_name():
    profiles = with_measurements(DEFAULT_PROFILES, {"nvidia-l4": (42.0, 3)})
    l4 = next(p for p in profiles if p.name == "nvidia-l4")
    assert (l4.effective_tflops, l4.measurements) == (42.0, 3)
    assert [p for p in profiles if p.name != "nvidia-l4"] == [p for p in DEFAULT_PROFILES if p.name != "nvidia-l4"]
