"""Real LoRA runs of the recipe on the tiny random Llama (seconds each, fast tier)."""

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from tuneline.common.samples import maintenance_classification
from tuneline.training.worker.recipe import (
    Progress,
    RecipeConfig,
    RecipeHooks,
    latest_checkpoint,
    run,
)

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Short instruction records (log entry -> label) keep tiny-model steps cheap; the classification prompt
    # format itself is covered in test_recipe_data.py.
    records = [{"prompt": r["text"], "completion": r["label"]} for r in maintenance_classification(48, seed=11)]
    directory = tmp_path_factory.mktemp("data")
    (directory / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:40]))
    (directory / "val.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[40:]))
    return directory


@pytest.fixture(scope="module")
def base_config(tiny_model_dir: Path, data_dir: Path) -> RecipeConfig:
    return RecipeConfig(
        base_model=str(tiny_model_dir),
        train_path=str(data_dir / "train.jsonl"),
        validation_path=str(data_dir / "val.jsonl"),
        output_dir=str(data_dir / "unused"),
        batch_size=4,
        learning_rate=3e-3,
        max_steps=12,
        precision="fp32",
        torch_threads=1,
    )


@pytest.fixture(scope="module")
def reference_losses(base_config: RecipeConfig, data_dir: Path) -> list[float]:
    """Train losses of an uninterrupted 12-step run of base_config."""
    result = run(replace(base_config, output_dir=str(data_dir / "reference")))
    return [row["train_loss"] for row in result.metadata["history"]]


@pytest.fixture
def classification_config(base_config: RecipeConfig, tmp_path: Path) -> RecipeConfig:
    return replace(base_config, output_dir=str(tmp_path / "run"))


def _losses(history: list[dict]) -> list[float]:
    return [row["train_loss"] for row in history]


def test_lora_run_lowers_loss_and_saves_a_loadable_peft_adapter(classification_config: RecipeConfig) -> None:
    config = replace(classification_config, max_steps=20, eval_every_steps=10, method="qlora")
    result = run(config)

    assert result.status == "completed" and result.step == 20
    history = result.metadata["history"]
    assert [row["step"] for row in history] == list(range(1, 21))
    assert sum(_losses(history)[-5:]) / 5 < sum(_losses(history)[:5]) / 5 - 0.5
    assert result.adapter_dir is not None
    assert {"adapter_config.json", "adapter_model.safetensors", "training_metadata.json"} <= {
        p.name for p in result.adapter_dir.iterdir()
    }
    metadata = json.loads((result.adapter_dir / "training_metadata.json").read_text())
    assert metadata["method"] == "lora"  # QLoRA was asked for, but there is no CUDA here
    assert "no CUDA" in metadata["method_note"]
    assert metadata["precision"] == "fp32" and metadata["torch_threads"] == 1
    assert metadata["tokens_trained"] == sum(row["tokens"] for row in history)
    assert metadata["task"] == "instruction" and metadata["data"]["train_examples"] == 40
    assert [e["step"] for e in metadata["eval_history"]] == [10, 20]
    adapter_config = json.loads((result.adapter_dir / "adapter_config.json").read_text())
    assert adapter_config["base_model_name_or_path"] == config.base_model
    assert adapter_config["r"] == 16 and adapter_config["lora_alpha"] == 32
    _assert_adapter_changes_outputs(config.base_model, result.adapter_dir)


def _assert_adapter_changes_outputs(base_model: str, adapter_dir: Path) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_model).eval()
    ids = torch.tensor([[5, 17, 42, 99, 7]])
    with torch.no_grad():
        before = base(input_ids=ids).logits
        after = PeftModel.from_pretrained(base, adapter_dir).eval()(input_ids=ids).logits
    assert (after - before).abs().max() > 1e-3


def test_early_stopping_ends_the_run_after_patience_evals_without_improvement(
    tiny_model_dir: Path,
    tmp_path: Path,
    write_jsonl,  # type: ignore[no-untyped-def]
) -> None:
    # Validation contradicts training: the better the model learns "alpha", the worse "beta" scores.
    prompts = [f"unit {i}" for i in range(8)]
    config = RecipeConfig(
        base_model=str(tiny_model_dir),
        train_path=write_jsonl("train.jsonl", [{"prompt": p, "completion": "alpha"} for p in prompts]),
        validation_path=write_jsonl("val.jsonl", [{"prompt": p, "completion": "beta"} for p in prompts]),
        output_dir=str(tmp_path / "run"),
        batch_size=4,
        learning_rate=3e-3,
        max_steps=60,
        eval_every_steps=2,
        early_stopping_patience=2,
        precision="fp32",
        torch_threads=1,
    )
    result = run(config)

    assert result.status == "early_stopped"
    evals = result.metadata["eval_history"]
    best = min(range(len(evals)), key=lambda i: evals[i]["val_loss"])
    assert len(evals) - 1 - best == 2
    assert result.step == evals[-1]["step"] < 60
    assert result.metadata["final_metrics"]["best_step"] == evals[best]["step"]
    assert result.adapter_dir is not None


def test_cancel_stops_before_the_next_step_and_saves_no_adapter(classification_config: RecipeConfig) -> None:
    calls = []

    def control() -> str | None:
        calls.append(1)
        return "cancel" if len(calls) > 3 else None

    result = run(classification_config, RecipeHooks(control=control))
    assert result.status == "cancelled" and result.step == 3
    assert result.adapter_dir is None
    assert not (Path(classification_config.output_dir) / "adapter").exists()


def test_pause_checkpoints_and_resuming_continues_the_same_loss_curve(
    classification_config: RecipeConfig, reference_losses: list[float]
) -> None:
    calls = []

    def control() -> str | None:
        calls.append(1)
        return "pause" if len(calls) > 5 else None

    paused = run(classification_config, RecipeHooks(control=control))
    assert paused.status == "paused" and paused.step == 5
    assert paused.last_checkpoint is not None and paused.last_checkpoint.name == "checkpoint-0000005"

    resumed = run(replace(classification_config, resume_from=str(paused.last_checkpoint)))
    assert resumed.status == "completed"
    history = resumed.metadata["history"]
    assert [row["step"] for row in history] == list(range(1, 13))
    assert _losses(history) == pytest.approx(reference_losses, rel=1e-5)


def test_resume_after_sigkill_continues_step_numbering_and_loss_history(
    classification_config: RecipeConfig, reference_losses: list[float], tmp_path: Path
) -> None:
    config = replace(classification_config, checkpoint_every_steps=3, keep_checkpoints=3)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config.__dict__))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tuneline.training.worker.recipe", str(config_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if json.loads(line)["type"] == "checkpoint":
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=60)
    finally:
        process.kill()
    assert process.returncode == -signal.SIGKILL

    checkpoint = latest_checkpoint(Path(config.output_dir))
    assert checkpoint is not None
    saved = json.loads((checkpoint / "trainer_state.json").read_text())
    assert 3 <= saved["step"] < 12

    resumed = run(replace(config, resume_from=str(checkpoint)))
    history = resumed.metadata["history"]
    assert resumed.status == "completed" and resumed.step == 12
    assert [row["step"] for row in history] == list(range(1, 13))
    assert history[: saved["step"]] == saved["history"]
    assert _losses(history) == pytest.approx(reference_losses, rel=1e-5)


def test_checkpoints_reach_the_hook_and_only_the_newest_stay_on_disk(classification_config: RecipeConfig) -> None:
    seen: list[tuple[str, int]] = []
    config = replace(classification_config, max_steps=8, checkpoint_every_steps=2, keep_checkpoints=2)
    run(config, RecipeHooks(on_checkpoint=lambda path, step: seen.append((path.name, step))))

    assert seen == [(f"checkpoint-{s:07d}", s) for s in (2, 4, 6, 8)]
    remaining = sorted(p.name for p in (Path(config.output_dir) / "checkpoints").iterdir())
    assert remaining == ["checkpoint-0000006", "checkpoint-0000008"]
    files = {p.name for p in (Path(config.output_dir) / "checkpoints" / "checkpoint-0000008").iterdir()}
    assert {"adapter", "optimizer.pt", "scheduler.pt", "rng.pt", "trainer_state.json"} <= files


def test_progress_is_rate_limited_but_every_eval_and_the_end_report(classification_config: RecipeConfig) -> None:
    reports: list[Progress] = []
    config = replace(classification_config, max_steps=8, eval_every_steps=4, progress_interval_s=3600)
    run(config, RecipeHooks(on_progress=reports.append))

    assert [(r.event, r.step) for r in reports] == [("step", 1), ("eval", 4), ("eval", 8), ("end", 8)]
    assert all(r.total_steps == 8 and r.tokens_per_second > 0 for r in reports)
    assert reports[-1].eta_seconds == 0 and reports[1].eta_seconds > 0
    assert reports[-1].val_loss is not None and reports[-1].train_loss is not None


def test_config_error_names_the_field_and_its_allowed_values(classification_config: RecipeConfig) -> None:
    with pytest.raises(ValueError, match="batch_size=0: must be >= 1"):
        run(replace(classification_config, batch_size=0))
    with pytest.raises(ValueError, match="early_stopping_patience=2: must be 0 unless eval_every_steps"):
        run(replace(classification_config, early_stopping_patience=2))
    with pytest.raises(ValueError, match="unknown recipe config field"):
        RecipeConfig.from_json(json.dumps({**classification_config.__dict__, "lr": 1}))


def test_unknown_base_model_reference_is_refused_without_download(classification_config: RecipeConfig) -> None:
    with pytest.raises(ValueError, match="base_model 'meta-llama/Llama-3-8B' is neither"):
        run(replace(classification_config, base_model="meta-llama/Llama-3-8B"))
