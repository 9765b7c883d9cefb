"""Self-distilled general replay on the tiny random Llama: what gets mixed in, caching, and validation."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from tuneline.training.estimate.hyperparameters import Hyperparameters, resolve
from tuneline.training.worker import replay
from tuneline.training.worker.recipe import RecipeConfig, run, setup

torch.set_num_threads(1)


def test_bundled_prompts_are_well_formed_and_unique() -> None:
    prompts = replay.load_general_prompts()
    assert len(prompts) >= 50
    assert len({p.id for p in prompts}) == len(prompts)
    assert len({p.prompt for p in prompts}) == len(prompts)
    assert {p.category for p in prompts} >= {"arithmetic", "facts", "rewriting", "formatting", "open"}


@pytest.mark.parametrize(
    ("examples", "ratio", "expected"), [(100, 0.0, 0), (100, 0.25, 25), (10, 0.25, 3), (7, 1.0, 7)]
)
def test_replay_count(examples: int, ratio: float, expected: int) -> None:
    assert replay.replay_count(examples, ratio) == expected


def test_replay_count_rejects_out_of_range_ratio() -> None:
    with pytest.raises(ValueError, match="general_replay must be between 0 and 1"):
        replay.replay_count(10, 1.5)


@pytest.fixture
def config(tiny_model_dir: Path, write_jsonl, tmp_path: Path) -> RecipeConfig:  # type: ignore[no-untyped-def]
    records = [{"prompt": f"entry {i}: pump noise", "completion": "mechanical"} for i in range(12)]
    return RecipeConfig(
        base_model=str(tiny_model_dir),
        train_path=write_jsonl("train.jsonl", records),
        output_dir=str(tmp_path / "run"),
        batch_size=4,
        max_steps=2,
        precision="fp32",
        torch_threads=1,
        general_replay=0.5,
        replay_cache_dir=str(tmp_path / "cache"),
    )


def test_the_base_model_answers_every_prompt_once_and_the_answers_are_cached(
    config: RecipeConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The random tiny model never ends an answer on its own, so nothing is usable: the run refuses with a
    message naming the setting, after caching what the base said (a rerun does not generate again)."""
    calls = []
    real = replay._answer

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(replay, "_answer", counting)
    for _ in range(2):
        with pytest.raises(ValueError, match="finished none of its answers; set general_replay to 0"):
            setup(config)
    assert len(calls) == 1
    cached = list((tmp_path / "cache").glob("general-replay-*.json"))
    assert len(cached) == 1
    assert set(json.loads(cached[0].read_text())) == {p.id for p in replay.load_general_prompts()}


def test_replay_uses_the_cached_answers_as_assistant_turns(
    config: RecipeConfig, tmp_path: Path, tiny_model_dir: Path
) -> None:
    """A planted cache is used as is (so a retrain reuses the base model's answers) and only finished answers count."""
    prompts = replay.load_general_prompts()
    key = replay.cache_key(tiny_model_dir, prompts, 96)
    planted = {p.id: "" for p in prompts}
    planted[prompts[0].id] = "Twelve apples."
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / f"general-replay-{key}.json").write_text(json.dumps(planted))
    run_ = setup(config)
    assert run_.data_stats["replay_prompts_kept"] == 1
    assert run_.data_stats["replay_cache_hit"] == 1
    replayed = run_.train_examples[12:]
    assert len(replayed) == 6
    text = run_.tokenizer.decode(replayed[0].input_ids)
    assert prompts[0].prompt in text and "Twelve apples." in text
    target = [t for t in replayed[0].labels if t != -100]
    assert "Twelve apples." in run_.tokenizer.decode(target)  # the loss is on the base's answer only


def test_a_run_with_replay_trains_and_records_it(config: RecipeConfig, tmp_path: Path, tiny_model_dir: Path) -> None:
    prompts = replay.load_general_prompts()
    (tmp_path / "cache").mkdir()
    answers = {p.id: f"Answer {i}." for i, p in enumerate(prompts)}
    (tmp_path / "cache" / f"general-replay-{replay.cache_key(tiny_model_dir, prompts, 96)}.json").write_text(
        json.dumps(answers)
    )
    result = run(config)
    assert result.status == "completed"
    assert result.metadata["data"]["replay_examples"] == 6


def test_a_ratio_out_of_range_names_the_field(config: RecipeConfig) -> None:
    with pytest.raises(ValueError, match=r"general_replay=1\.5.*between 0 and 1"):
        setup(replace(config, general_replay=1.5))


def test_hyperparameters_count_replay_in_the_steps() -> None:
    plain = resolve(Hyperparameters(batch_size=8, epochs=1), model_params=135_000_000, train_examples=80)
    mixed = resolve(
        Hyperparameters(batch_size=8, epochs=1, general_replay=0.25), model_params=135_000_000, train_examples=80
    )
    assert (plain.total_steps, mixed.total_steps) == (10, 13)  # 80 task + 20 replay examples in batches of 8
    with pytest.raises(ValueError, match="general_replay must be between 0 and 1"):
        Hyperparameters(general_replay=2)
