"""An encoder classifier trained by the training service's classification recipe, evaluated by the same recipe and
metrics as a causal LM (tiny random BERT, fast tier)."""

import json
from pathlib import Path

import pytest

from tuneline.common.samples import maintenance_classification
from tuneline.evaluation.evaluations.service import release_decision
from tuneline.evaluation.runner.config import EvalConfig, GenerationSettings
from tuneline.evaluation.runner.recipe import run_evaluation
from tuneline.evaluation.summary.report import summarise


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict], dict]:
    """(tiny encoder, adapter, held-out rows, the training run's metadata); tests may import another service."""
    import torch

    from tuneline.training.worker import classifier
    from tuneline.training.worker.base_models import build_tiny_encoder
    from tuneline.training.worker.recipe import RecipeConfig

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("encoder-eval")
    encoder = build_tiny_encoder(root / "encoder")
    rows = maintenance_classification(96, seed=31)
    (root / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:80]))
    (root / "val.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[80:]))
    config = RecipeConfig(
        base_model=str(encoder),
        train_path=str(root / "train.jsonl"),
        validation_path=str(root / "val.jsonl"),
        output_dir=str(root / "run"),
        batch_size=16,
        learning_rate=1e-2,
        max_steps=30,
        precision="fp32",
        torch_threads=1,
    )
    result = classifier.run(config)
    assert result.adapter_dir is not None
    return encoder, result.adapter_dir, rows[80:], result.metadata


def test_encoder_predictions_come_from_the_head_and_score_with_the_same_metrics(trained) -> None:  # type: ignore[no-untyped-def]
    encoder, adapter, held_out, metadata = trained
    config = EvalConfig(
        base_model=str(encoder),
        adapter_dir=str(adapter),
        task="classification",
        labels=metadata["labels"],
        generation=GenerationSettings(batch_size=8),
        torch_threads=1,
    )
    outcome = run_evaluation(config, held_out)

    assert outcome.model_kind == "encoder" and outcome.gate is None
    assert outcome.tuned.capability is None and "general_perplexity" not in outcome.tuned.metrics
    # The tuned pass is the training run's own held-out accuracy on the same rows (head argmax, same weights).
    assert outcome.tuned.metrics["accuracy"] == pytest.approx(metadata["final_metrics"]["val_accuracy"], abs=1e-9)
    for name in ("accuracy", "macro_f1", "latency_ms_p50"):
        assert name in outcome.base.metrics and name in outcome.tuned.metrics
    assert outcome.tuned.confusion is not None and outcome.tuned.per_class is not None
    assert {s.tuned.parsed for s in outcome.samples} <= set(metadata["labels"])
    assert [s.reference for s in outcome.samples] == [r["label"] for r in held_out]
    assert all(s.tuned.generated_tokens == 0 for s in outcome.samples)

    decision = release_decision(outcome, summarise(outcome, {}))
    assert any("not applicable to an encoder classifier" in r for r in decision.reasons)
    assert not any("did not run" in r for r in decision.reasons)


def test_an_encoder_adapter_without_its_label_order_is_refused_naming_the_file(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    encoder, adapter, held_out, _ = trained
    copy = tmp_path / "adapter"
    shutil.copytree(adapter, copy)
    (copy / "classifier.json").unlink()
    config = EvalConfig(base_model=str(encoder), adapter_dir=str(copy), task="classification", torch_threads=1)
    with pytest.raises(FileNotFoundError, match=r"no classifier\.json"):
        run_evaluation(config, held_out)
