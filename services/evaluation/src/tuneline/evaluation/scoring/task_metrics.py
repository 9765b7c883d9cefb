"""Task metrics for one model pass: which metrics a task type gets, and a per-sample score for error analysis.

| task           | metrics                                                           | per-sample score |
|----------------|-------------------------------------------------------------------|------------------|
| classification | accuracy, macro precision/recall/F1 (+ per class), exact_match    | 1 if label right |
| extraction     | field_f1, field_precision, field_recall, parse_failure_rate, exact_match | field F1  |
| generation     | rouge1, rouge2, rougeL, bleu (0-100), exact_match                 | ROUGE-L F        |

Every score here is on 0..1 except BLEU, which keeps sacrebleu's 0..100 scale. Custom metrics named in the
config are added under their own names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from tuneline.evaluation.metrics.bleu import corpus_bleu
from tuneline.evaluation.metrics.classification import ClassificationReport, classification_report
from tuneline.evaluation.metrics.extraction import field_f1
from tuneline.evaluation.metrics.plugins import run_custom_metric
from tuneline.evaluation.metrics.rouge import rouge, rouge_l
from tuneline.evaluation.metrics.text import UNPARSED_LABEL, exact_match, parse_label

TaskType = Literal["classification", "extraction", "generation"]
TASK_TYPES: tuple[str, ...] = get_args(TaskType)
PRIMARY_METRIC: dict[str, str] = {"classification": "accuracy", "extraction": "field_f1", "generation": "rougeL"}


@dataclass(frozen=True)
class TaskMetrics:
    metrics: dict[str, float]
    primary_metric: str
    sample_scores: list[float]
    parsed_predictions: list[str]
    reasons: list[str | None]
    classification: ClassificationReport | None = None


def check_task(task: str) -> TaskType:
    if task not in TASK_TYPES:
        raise ValueError(f"task is {task!r}, expected one of {list(TASK_TYPES)}")
    return task  # type: ignore[return-value]


def compute_task_metrics(
    task: str,
    predictions: Sequence[str],
    references: Sequence[str],
    *,
    labels: Sequence[str] | None = None,
    records: Sequence[Mapping[str, Any]] | None = None,
    custom_metrics: Sequence[str] = (),
) -> TaskMetrics:
    kind = check_task(task)
    if kind == "classification":
        result = _classification(predictions, references, labels)
    elif kind == "extraction":
        result = _extraction(predictions, references)
    else:
        result = _generation(predictions, references)
    raw_records = list(records) if records is not None else [{} for _ in references]
    for path in custom_metrics:
        result.metrics.update(run_custom_metric(path, result.parsed_predictions, references, raw_records))
    return result


def _classification(predictions: Sequence[str], references: Sequence[str], labels: Sequence[str] | None) -> TaskMetrics:
    label_set = list(labels) if labels else sorted(set(references))
    parsed = [parse_label(p, label_set) for p in predictions]
    ordered = label_set + sorted(set(references) - set(label_set))
    if UNPARSED_LABEL in parsed:
        ordered.append(UNPARSED_LABEL)
    report = classification_report(parsed, references, ordered)
    # The macro average covers the true labels only: "<unparsed>" is a failure mode, not a class to average.
    real = [name for name in report.per_class if name in set(references)]
    metrics = {
        "accuracy": report.accuracy,
        "macro_precision": sum(report.per_class[n].precision for n in real) / len(real),
        "macro_recall": sum(report.per_class[n].recall for n in real) / len(real),
        "macro_f1": sum(report.per_class[n].f1 for n in real) / len(real),
        "unparsed_rate": parsed.count(UNPARSED_LABEL) / len(parsed),
        "exact_match": exact_match(predictions, references),
    }
    reasons: list[str | None] = ["no known label in the output" if p == UNPARSED_LABEL else None for p in parsed]
    return TaskMetrics(
        metrics=metrics,
        primary_metric=PRIMARY_METRIC["classification"],
        sample_scores=[float(p == r) for p, r in zip(parsed, references, strict=True)],
        parsed_predictions=parsed,
        reasons=reasons,
        classification=report,
    )


def _extraction(predictions: Sequence[str], references: Sequence[str]) -> TaskMetrics:
    report = field_f1(predictions, references)
    metrics = {
        "field_f1": report.f1,
        "field_precision": report.precision,
        "field_recall": report.recall,
        "parse_failure_rate": report.parse_failures / len(references),
        "exact_match": sum(s.f1 == 1.0 for s in report.samples) / len(references),
    }
    return TaskMetrics(
        metrics=metrics,
        primary_metric=PRIMARY_METRIC["extraction"],
        sample_scores=[s.f1 for s in report.samples],
        parsed_predictions=list(predictions),
        reasons=[s.reason for s in report.samples],
    )


def _generation(predictions: Sequence[str], references: Sequence[str]) -> TaskMetrics:
    scores = rouge(predictions, references)
    metrics = {
        "rouge1": scores.rouge1,
        "rouge2": scores.rouge2,
        "rougeL": scores.rougeL,
        "bleu": corpus_bleu(predictions, references),
        "exact_match": exact_match(predictions, references),
    }
    return TaskMetrics(
        metrics=metrics,
        primary_metric=PRIMARY_METRIC["generation"],
        sample_scores=[rouge_l(p, r) for p, r in zip(predictions, references, strict=True)],
        parsed_predictions=list(predictions),
        reasons=[None for _ in predictions],
    )
