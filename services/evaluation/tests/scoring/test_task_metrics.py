import pytest

from tuneline.evaluation.metrics.text import UNPARSED_LABEL
from tuneline.evaluation.scoring.task_metrics import compute_task_metrics


def test_classification_parses_generated_labels_before_scoring():
    result = compute_task_metrics(
        "classification",
        ["Leak.", "electrical - breaker", "no idea", "leak"],
        ["leak", "electrical", "leak", "electrical"],
    )
    assert result.parsed_predictions == ["leak", "electrical", UNPARSED_LABEL, "leak"]
    assert result.metrics["accuracy"] == pytest.approx(0.5)
    assert result.metrics["unparsed_rate"] == pytest.approx(0.25)
    assert result.sample_scores == [1.0, 1.0, 0.0, 0.0]
    assert result.reasons[2] == "no known label in the output"
    # leak: P 1/2, R 1/2 → F1 1/2; electrical: P 1, R 1/2 → F1 2/3; "<unparsed>" is not averaged.
    assert result.metrics["macro_f1"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert result.classification is not None
    assert result.classification.confusion.labels == ["electrical", "leak", UNPARSED_LABEL]
    assert result.primary_metric == "accuracy"


def test_generation_reports_rouge_bleu_and_exact_match():
    result = compute_task_metrics("generation", ["the cat sat on the mat"], ["the cat sat on the mat"])
    assert result.metrics["rougeL"] == pytest.approx(1.0)
    assert result.metrics["bleu"] == pytest.approx(100.0)
    assert result.metrics["exact_match"] == 1.0
    assert result.primary_metric == "rougeL"


def test_extraction_keeps_parse_failure_reason_per_sample():
    result = compute_task_metrics("extraction", ['{"a": 1}', "not json"], ['{"a": 1}', '{"a": 1}'])
    assert result.metrics["field_f1"] == pytest.approx(0.5)
    assert result.metrics["parse_failure_rate"] == pytest.approx(0.5)
    assert result.reasons[0] is None and "not a JSON object" in result.reasons[1]


def test_custom_metric_sees_parsed_predictions(tmp_path, monkeypatch):
    (tmp_path / "uc_metrics.py").write_text(
        "def leak_recall(predictions, references, records):\n"
        "    hits = [p == 'leak' for p, r in zip(predictions, references) if r == 'leak']\n"
        "    return sum(hits) / len(hits)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    result = compute_task_metrics(
        "classification", ["Leak!", "leak"], ["leak", "electrical"], custom_metrics=["uc_metrics:leak_recall"]
    )
    assert result.metrics["leak_recall"] == 1.0


def test_unknown_task_is_named():
    with pytest.raises(ValueError, match="task is 'ranking'"):
        compute_task_metrics("ranking", ["a"], ["a"])
