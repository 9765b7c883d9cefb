"""The encoder classification recipe on the tiny random BERT (seconds each, fast tier)."""

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from tuneline.common.base_models import BaseModelSource
from tuneline.common.records import RecordError
from tuneline.common.samples import maintenance_classification
from tuneline.training.worker import classifier
from tuneline.training.worker import recipe as causal
from tuneline.training.worker.classifier import CLASSIFIER_FILE, load_classifier
from tuneline.training.worker.execute import recipe_for
from tuneline.training.worker.recipe import RecipeConfig, RecipeHooks

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records = maintenance_classification(160, seed=21)
    directory = tmp_path_factory.mktemp("encoder-data")
    (directory / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:128]))
    (directory / "val.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[128:]))
    return directory


@pytest.fixture
def config(tiny_encoder_dir: Path, data_dir: Path, tmp_path: Path) -> RecipeConfig:
    return RecipeConfig(
        base_model=str(tiny_encoder_dir),
        train_path=str(data_dir / "train.jsonl"),
        validation_path=str(data_dir / "val.jsonl"),
        output_dir=str(tmp_path / "run"),
        batch_size=16,
        learning_rate=1e-2,
        max_steps=40,
        eval_every_steps=20,
        precision="fp32",
        torch_threads=1,
    )


def _logits(base_dir: Path, output: Path, labels: list[str], texts: list[str]) -> torch.Tensor:
    from peft import PeftModel
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(output)
    model = PeftModel.from_pretrained(load_classifier(base_dir, labels, torch), output).eval()
    with torch.no_grad():
        return model(**tokenizer(texts, padding=True, return_tensors="pt")).logits


def test_lora_run_learns_the_labels_and_saves_an_adapter_with_the_head(config: RecipeConfig, data_dir: Path) -> None:
    phases: list[str] = []
    result = classifier.run(config, RecipeHooks(on_phase=lambda p: phases.append(p.phase)))

    assert result.status == "completed" and result.step == 40
    assert phases == ["preparing_data", "loading_model", "training", "saving"]
    evals = result.metadata["eval_history"]
    assert [e["step"] for e in evals] == [20, 40]
    losses = [h["train_loss"] for h in result.metadata["history"]]
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.3
    labels = result.metadata["labels"]
    assert labels == sorted({json.loads(line)["label"] for line in (data_dir / "train.jsonl").open()})
    # A random encoder fits its training set but generalises little: held-out accuracy is checked on MiniLM (slow).
    assert 0.0 <= result.metadata["final_metrics"]["val_accuracy"] <= 1.0
    assert result.metadata["model_kind"] == "encoder" and result.metadata["method"] == "lora"
    assert result.metadata["task"] == "classification"

    assert result.adapter_dir is not None
    saved = {p.name for p in result.adapter_dir.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json", CLASSIFIER_FILE} <= saved
    adapter_config = json.loads((result.adapter_dir / "adapter_config.json").read_text())
    assert adapter_config["task_type"] == "SEQ_CLS" and adapter_config["base_model_name_or_path"] == config.base_model
    assert json.loads((result.adapter_dir / CLASSIFIER_FILE).read_text())["labels"] == labels
    # The saved adapter (LoRA + trained head) is the best evaluation's weights (restore_best): loaded afresh it
    # reproduces that evaluation's validation loss. Accuracy may move by a record or two: a random encoder's logits
    # are near ties, and one padded batch here is not the run's two batches of 16 (float rounding differs).
    best = min(evals, key=lambda e: e["val_loss"])
    val = [json.loads(line) for line in (data_dir / "val.jsonl").open()]
    logits = _logits(Path(config.base_model), result.adapter_dir, labels, [r["text"] for r in val])
    targets = torch.tensor([labels.index(r["label"]) for r in val])
    assert float(torch.nn.functional.cross_entropy(logits, targets)) == pytest.approx(best["val_loss"], rel=1e-4)
    accuracy = float((logits.argmax(-1) == targets).float().mean())
    assert abs(accuracy - best["val_accuracy"]) <= 2 / len(val)


def test_full_fine_tune_trains_every_weight_and_saves_a_whole_model(config: RecipeConfig) -> None:
    result = classifier.run(replace(config, method="full", max_steps=10, eval_every_steps=0, learning_rate=3e-3))

    assert result.metadata["method"] == "full"
    total = sum(
        p.numel() for p in load_classifier(Path(config.base_model), result.metadata["labels"], torch).parameters()
    )
    assert result.metadata["trainable_parameters"] == total
    assert result.adapter_dir is not None
    assert (result.adapter_dir / "model.safetensors").is_file()
    assert not (result.adapter_dir / "adapter_config.json").exists()


def test_pause_checkpoints_and_resume_continues_the_same_losses(config: RecipeConfig, tmp_path: Path) -> None:
    short = replace(config, max_steps=8, eval_every_steps=0, validation_path=None)
    reference = classifier.run(replace(short, output_dir=str(tmp_path / "reference")))
    steps = []

    def control() -> str | None:
        steps.append(1)
        return "pause" if len(steps) == 5 else None

    paused = classifier.run(replace(short, output_dir=str(tmp_path / "paused")), RecipeHooks(control=control))
    assert paused.status == "paused" and paused.step == 4 and paused.last_checkpoint is not None
    resumed = classifier.run(
        replace(short, output_dir=str(tmp_path / "resumed"), resume_from=str(paused.last_checkpoint))
    )
    expected = [h["train_loss"] for h in reference.metadata["history"]]
    got = [h["train_loss"] for h in resumed.metadata["history"]]
    assert got == pytest.approx(expected, rel=1e-4)


def test_rejects_records_that_are_not_classification_naming_the_split(
    config: RecipeConfig,
    write_jsonl: Callable[[str, list[dict]], str],
) -> None:
    bad = replace(config, train_path=write_jsonl("t.jsonl", [{"prompt": "p", "completion": "c"}]))
    with pytest.raises(RecordError, match="train_path"):
        classifier.run(bad)


def test_rejects_a_validation_label_outside_the_training_labels(
    config: RecipeConfig,
    write_jsonl: Callable[[str, list[dict]], str],
) -> None:
    val = write_jsonl("v.jsonl", [{"text": "pump noise", "label": "astrology"}])
    with pytest.raises(RecordError, match="validation_path record 1: label 'astrology'"):
        classifier.run(replace(config, validation_path=val))


def test_executor_picks_the_recipe_by_the_base_models_architecture(config: RecipeConfig, tiny_model_dir: Path) -> None:
    assert recipe_for(config, BaseModelSource()) is classifier.run
    assert recipe_for(replace(config, base_model=str(tiny_model_dir)), BaseModelSource()) is causal.run
