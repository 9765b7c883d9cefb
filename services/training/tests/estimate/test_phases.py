"""The estimate before a job starts counts the one-off general-replay generation when its cache is cold."""

import json
from pathlib import Path

import pytest

from tuneline.training.estimate.hardware import DEFAULT_PROFILES
from tuneline.training.estimate.hyperparameters import Hyperparameters, resolve
from tuneline.training.estimate.memory import KNOWN_MODELS, Method
from tuneline.training.estimate.phases import replay_plan, seconds_per_answer
from tuneline.training.jobs.service import _price
from tuneline.training.worker import replay

CPU = next(p for p in DEFAULT_PROFILES if p.name == "cpu-2core")
H100 = next(p for p in DEFAULT_PROFILES if p.name == "nvidia-h100-80gb")
SMOLLM2 = KNOWN_MODELS["smollm2-135m-instruct"]


def _priced(general_replay: float, *, warm: bool):  # type: ignore[no-untyped-def]
    resolved = resolve(
        Hyperparameters(batch_size=8, epochs=1, general_replay=general_replay),
        model_params=SMOLLM2.params,
        train_examples=320,
    )
    return _price(SMOLLM2, Method.LORA, resolved, 320, 60.0, CPU, replay_cache_warm=warm)


def test_the_modelled_generation_rate_matches_the_measured_two_minutes_for_the_shipped_model_on_two_cores() -> None:
    rate = seconds_per_answer(SMOLLM2.params, CPU, replay.MAX_NEW_TOKENS)
    assert 1.5 < rate < 2.5  # README: 64 answers in about two minutes on 2 CPU cores
    assert seconds_per_answer(SMOLLM2.params, H100, replay.MAX_NEW_TOKENS) < 0.5  # latency-bound, not FLOP-bound


def test_cold_cache_adds_every_prompts_answer_to_the_estimate_and_says_so() -> None:
    cold = _priced(0.25, warm=False)
    prompts = len(replay.load_general_prompts())
    assert cold.replay_cache == "cold" and cold.replay_answers == prompts
    assert cold.replay_seconds == pytest.approx(prompts * cold.replay_seconds_per_answer, rel=1e-3)
    assert cold.seconds == pytest.approx(cold.replay_seconds + cold.training_seconds + cold.save_seconds)
    assert cold.cost_usd == pytest.approx(cold.seconds / 3600 * CPU.usd_per_hour)
    assert any(f"generating {prompts} general-replay answers" in line and "cold" in line for line in cold.breakdown)


def test_warm_cache_adds_no_generation() -> None:
    cold, warm = _priced(0.25, warm=False), _priced(0.25, warm=True)
    assert warm.replay_cache == "warm" and warm.replay_answers == 0 and warm.replay_seconds == 0.0
    assert warm.training_seconds == cold.training_seconds
    assert warm.seconds == pytest.approx(warm.training_seconds + warm.save_seconds)
    assert any("cached" in line for line in warm.breakdown)


def test_without_replay_the_cache_does_not_matter() -> None:
    off = _priced(0.0, warm=False)
    assert off.replay_cache == "off" and off.replay_seconds == 0.0
    assert not any("replay" in line for line in off.breakdown)
    assert replay_plan(replay=False, cache_warm=False, prompts=64, params=1, profile=CPU, new_tokens=96).seconds == 0


def test_the_cache_is_warm_once_the_workers_cache_file_for_this_base_model_exists(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    assert not replay.cached_answers_exist(tiny_model_dir, tmp_path)
    assert not replay.cached_answers_exist(None, tmp_path)  # the base model is not even local yet
    path = replay.cache_file(tmp_path, tiny_model_dir, replay.load_general_prompts())
    path.write_text(json.dumps({"p1": "An answer."}))
    assert replay.cached_answers_exist(tiny_model_dir, tmp_path)
    assert not replay.cached_answers_exist(tiny_model_dir, tmp_path / "elsewhere")
