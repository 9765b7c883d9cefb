from pathlib import Path

import pytest

from tuneline.evaluation.runner.execute import JobInputs, build_config, parse_jsonl
from tuneline.evaluation.settings import EvaluationSettings


def _job(task_type: str) -> JobInputs:
    return JobInputs("e1", task_type, "smollm2-135m-instruct", "file:///a", "file:///t.jsonl", ["a", "b"])


def test_parse_jsonl_names_the_bad_line():
    assert parse_jsonl(b'{"a": 1}\n\n{"a": 2}\n', "test split") == [{"a": 1}, {"a": 2}]
    with pytest.raises(ValueError, match="test split line 2: not valid JSON"):
        parse_jsonl(b'{"a": 1}\n{oops\n', "test split")
    with pytest.raises(ValueError, match="test split line 1: expected a JSON object"):
        parse_jsonl(b"[1, 2]\n", "test split")


@pytest.mark.parametrize(
    ("task_type", "task"),
    [("classification", "classification"), ("extraction", "extraction"), ("summarisation", "generation"),
     ("chat", "generation")],
)  # fmt: skip
def test_use_case_task_types_map_to_metric_families(task_type, task):
    settings = EvaluationSettings(gate_max_perplexity_ratio=1.3, eval_max_new_tokens=16)
    config = build_config(settings, _job(task_type), Path("/adapter"))
    assert config.task == task
    assert config.gate.max_perplexity_ratio == 1.3
    assert config.generation.max_new_tokens == 16
    assert config.labels == ["a", "b"]


def test_unknown_task_type_is_named():
    with pytest.raises(ValueError, match="task_type 'vision' has no evaluation recipe"):
        build_config(EvaluationSettings(), _job("vision"), Path("/adapter"))


def test_configured_custom_metrics_reach_every_evaluation(tmp_path, monkeypatch):
    (tmp_path / "shop_metrics.py").write_text("def brevity(predictions, references, records):\n    return 1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = EvaluationSettings(custom_metrics=["shop_metrics:brevity"])
    assert build_config(settings, _job("classification"), Path("/adapter")).custom_metrics == ["shop_metrics:brevity"]


def test_a_custom_metric_that_does_not_import_stops_the_settings_naming_it():
    with pytest.raises(ValueError, match=r"custom_metrics(.|\n)*no_such_module"):
        EvaluationSettings(custom_metrics=["no_such_module:f"])
