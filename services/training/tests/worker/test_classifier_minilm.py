"""The encoder route on the shipped all-MiniLM-L6-v2 (slow tier): train on the demo's maintenance logs, evaluate
with the evaluation service's recipe, classify through a serving pool's engine."""

import json
from pathlib import Path

import pytest
import torch

from tuneline.common.base_models import MINILM_REF, resolve_base_model
from tuneline.common.samples import maintenance_classification
from tuneline.training.worker import classifier
from tuneline.training.worker.recipe import RecipeConfig

pytestmark = pytest.mark.slow


def test_minilm_learns_the_demo_task_and_is_evaluated_and_served(tmp_path: Path) -> None:
    # tests may import another service; source code may not
    from tuneline.evaluation.runner.config import EvalConfig, GenerationSettings
    from tuneline.evaluation.runner.recipe import run_evaluation
    from tuneline.registry.serving.encoder_engine import EncoderEngine

    torch.set_num_threads(1)
    rows = maintenance_classification(200, seed=7)  # the demo's data set (cli/demo/datasets.py)
    train, held_out = rows[:160], rows[160:]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in train))
    (tmp_path / "val.jsonl").write_text("".join(json.dumps(r) + "\n" for r in held_out))
    result = classifier.run(
        RecipeConfig(
            base_model=MINILM_REF,
            train_path=str(tmp_path / "train.jsonl"),
            validation_path=str(tmp_path / "val.jsonl"),
            output_dir=str(tmp_path / "run"),
            batch_size=16,
            learning_rate=3e-3,
            max_steps=30,
            precision="fp32",
            torch_threads=1,
        )
    )
    assert result.adapter_dir is not None and result.metadata["method"] == "lora"
    labels = result.metadata["labels"]
    val_accuracy = result.metadata["final_metrics"]["val_accuracy"]
    assert val_accuracy >= 0.8, result.metadata["eval_history"]

    outcome = run_evaluation(
        EvalConfig(
            base_model=MINILM_REF,
            adapter_dir=str(result.adapter_dir),
            task="classification",
            labels=labels,
            generation=GenerationSettings(batch_size=8),
            torch_threads=1,
        ),
        held_out,
    )
    assert outcome.model_kind == "encoder" and outcome.gate is None
    assert outcome.tuned.metrics["accuracy"] == pytest.approx(val_accuracy, abs=1e-9)
    assert outcome.base.metrics["accuracy"] < outcome.tuned.metrics["accuracy"]  # the untrained head guesses

    engine = EncoderEngine(str(resolve_base_model(MINILM_REF)), torch_threads=1)
    served = [engine.classify("v1", str(result.adapter_dir), r["text"]).label for r in held_out]
    assert served == [s.tuned.parsed for s in outcome.samples]  # the pool answers what evaluation measured
