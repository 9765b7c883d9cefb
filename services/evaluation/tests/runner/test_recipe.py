import pytest

from tuneline.evaluation.runner.config import EvalConfig, GenerationSettings
from tuneline.evaluation.runner.recipe import run_evaluation, setup

ROWS = [
    {"id": "a", "prompt": "Classify: oil leak at pump", "completion": "leak"},
    {"id": "b", "prompt": "Classify: breaker tripped", "completion": "electrical"},
    {"id": "c", "prompt": "Classify: bearing noise on motor", "completion": "mechanical"},
]


def _config(adapter_dir, model_dir):
    return EvalConfig(
        base_model=str(model_dir),
        adapter_dir=str(adapter_dir),
        task="classification",
        generation=GenerationSettings(max_new_tokens=4, batch_size=2),
        suite_limit=3,
        general_text_limit=3,
        suite_max_new_tokens=4,
        torch_threads=1,
    )


def test_zero_lora_adapter_gives_base_identical_results_and_passes_gate(tiny_model_dir, zero_adapter_dir):
    steps = []
    outcome = run_evaluation(_config(zero_adapter_dir, tiny_model_dir), ROWS, progress=steps.append)
    assert steps[0] == "base" and "tuned" in steps
    assert [s.base.output for s in outcome.samples] == [s.tuned.output for s in outcome.samples]
    for name in ("accuracy", "perplexity", "general_perplexity", "general_suite_score"):
        assert outcome.base.metrics[name] == pytest.approx(outcome.tuned.metrics[name], rel=1e-5)
    assert outcome.gate is not None and outcome.gate.passed
    assert outcome.gate.perplexity_ratio == pytest.approx(1.0, abs=1e-5)
    assert outcome.settings["generation"]["do_sample"] is False
    assert outcome.settings["runtime"]["decoding"] == "greedy"
    assert outcome.started_at.tzinfo is not None
    assert outcome.base.confusion is not None


def test_adapter_changes_tuned_pass_but_not_base_pass(tiny_model_dir, zero_adapter_dir, make_lora_adapter, tmp_path):
    changed = make_lora_adapter(tiny_model_dir, tmp_path / "changed", b_scale=0.5, seed=1)
    config = _config(changed, tiny_model_dir)
    loaded = setup(config)
    outcome = run_evaluation(config, ROWS, loaded)
    reference = run_evaluation(_config(zero_adapter_dir, tiny_model_dir), ROWS)
    # The base pass under disable_adapter() equals a model whose adapter is a no-op …
    assert outcome.base.metrics["general_perplexity"] == pytest.approx(
        reference.base.metrics["general_perplexity"], rel=1e-5
    )
    # … while the adapter really acts in the tuned pass, and is unmerged again afterwards.
    assert outcome.tuned.metrics["general_perplexity"] != pytest.approx(
        outcome.base.metrics["general_perplexity"], rel=1e-3
    )
    again = run_evaluation(config, ROWS, loaded)
    assert again.base.metrics["general_perplexity"] == pytest.approx(outcome.base.metrics["general_perplexity"])


def test_missing_adapter_is_named(tiny_model_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no adapter_config\.json"):
        setup(_config(tmp_path, tiny_model_dir))


class _MemoryCheckpoints:
    def __init__(self):
        self.saved = {}

    def load(self, name):
        return self.saved.get(name)

    def save(self, name, data):
        self.saved[name] = data


def test_interrupted_run_resumes_from_the_saved_base_pass(tiny_model_dir, zero_adapter_dir):
    config = _config(zero_adapter_dir, tiny_model_dir)
    checkpoints = _MemoryCheckpoints()
    first = run_evaluation(config, ROWS, checkpoints=checkpoints)
    assert set(checkpoints.saved) == {"base", "tuned"}

    # A crash after the base pass: only its checkpoint survives. Mark it so its reuse is visible.
    del checkpoints.saved["tuned"]
    checkpoints.saved["base"]["model_pass"]["metrics"]["accuracy"] = 0.123
    steps = []
    resumed = run_evaluation(config, ROWS, progress=steps.append, checkpoints=checkpoints)
    assert steps[0] == "base.resumed" and "tuned" in steps
    assert resumed.base.metrics["accuracy"] == 0.123
    for name in ("accuracy", "perplexity", "general_perplexity", "general_suite_score"):
        assert resumed.tuned.metrics[name] == pytest.approx(first.tuned.metrics[name])
    assert [s.tuned.output for s in resumed.samples] == [s.tuned.output for s in first.samples]


def test_checkpoint_of_another_config_is_ignored(tiny_model_dir, zero_adapter_dir):
    checkpoints = _MemoryCheckpoints()
    run_evaluation(_config(zero_adapter_dir, tiny_model_dir), ROWS, checkpoints=checkpoints)
    steps = []
    run_evaluation(_config(zero_adapter_dir, tiny_model_dir), ROWS[:2], progress=steps.append, checkpoints=checkpoints)
    assert "base.resumed" not in steps and steps[0] == "base"


def test_fully_checkpointed_run_does_not_load_the_model(tiny_model_dir, zero_adapter_dir, monkeypatch):
    from tuneline.evaluation.runner import recipe

    checkpoints = _MemoryCheckpoints()
    config = _config(zero_adapter_dir, tiny_model_dir)
    first = run_evaluation(config, ROWS, checkpoints=checkpoints)

    def no_loading(_config):
        raise AssertionError("the model was loaded although both passes were checkpointed")

    monkeypatch.setattr(recipe, "setup", no_loading)
    again = run_evaluation(config, ROWS, checkpoints=checkpoints)
    assert again.tuned.metrics == first.tuned.metrics
