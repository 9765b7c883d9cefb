import pytest

from tuneline.training.estimate.hardware import HardwareProfile, HardwareTable, estimate_duration, flops_per_token
from tuneline.training.estimate.memory import Method

GPU = HardwareProfile("test-gpu", "gpu", 24.0, usd_per_hour=2.0, effective_tflops=10.0)


def test_flops_per_token_by_method() -> None:
    assert flops_per_token(1_000, Method.FULL) == 6_000
    assert flops_per_token(1_000, Method.LORA) == 4_000
    assert flops_per_token(1_000, Method.QLORA) == 5_000


def test_duration_and_cost_by_hand() -> None:
    # 1B params LoRA: 4e9 FLOP/token; 10 TFLOP/s -> 2500 tokens/s; 3 epochs x 3e6 tokens = 9e6 -> 3600 s = 1 h
    est = estimate_duration(3_000_000, 3, 1_000_000_000, Method.LORA, GPU)
    assert est.tokens == 9_000_000
    assert est.tokens_per_second == pytest.approx(2500)
    assert est.seconds == pytest.approx(3600)
    assert est.cost_usd == pytest.approx(2.0)


def test_finished_jobs_move_the_profile_by_exponential_moving_average() -> None:
    table = HardwareTable((GPU,), smoothing=0.5)
    # measured: 1e6 tokens * 4e9 FLOP / 200 s = 20 TFLOP/s -> 0.5*10 + 0.5*20 = 15
    updated = table.record_job("test-gpu", 1_000_000_000, Method.LORA, tokens=1_000_000, seconds=200)
    assert updated.effective_tflops == pytest.approx(15.0) and updated.measurements == 1
    # again 20 -> 0.5*15 + 0.5*20 = 17.5; estimates follow
    table.record_job("test-gpu", 1_000_000_000, Method.LORA, tokens=1_000_000, seconds=200)
    assert table.get("test-gpu").effective_tflops == pytest.approx(17.5)
    est = estimate_duration(1_000_000, 1, 1_000_000_000, Method.LORA, table.get("test-gpu"))
    assert est.tokens_per_second == pytest.approx(17.5e12 / 4e9)


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown hardware profile 'tpu'; known: cpu-2core"):
        HardwareTable().get("tpu")


def test_rejects_a_job_record_without_work() -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        HardwareTable().record_job("cpu-2core", 1, Method.LORA, tokens=0, seconds=1)
