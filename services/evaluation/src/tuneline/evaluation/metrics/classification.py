"""Classification metrics: accuracy, confusion matrix, per-class and macro precision/recall/F1.

A class that is never predicted has precision 0 (not NaN) and a class absent from the references is still
reported when it was predicted, so a model that invents labels is penalised in the macro average.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ConfusionMatrix:
    """``counts[i][j]`` = samples whose reference is ``labels[i]`` and prediction ``labels[j]``."""

    labels: list[str]
    counts: list[list[int]]


@dataclass(frozen=True)
class ClassificationReport:
    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    per_class: dict[str, ClassScores]
    confusion: ConfusionMatrix


def _check_lengths(predictions: Sequence[object], references: Sequence[object]) -> None:
    if len(predictions) != len(references):
        raise ValueError(
            f"predictions has {len(predictions)} items but references has {len(references)}; they must pair up"
        )
    if not references:
        raise ValueError("references is empty: a metric needs at least one sample")


def accuracy(predictions: Sequence[str], references: Sequence[str]) -> float:
    _check_lengths(predictions, references)
    return sum(p == r for p, r in zip(predictions, references, strict=True)) / len(references)


def confusion_matrix(
    predictions: Sequence[str], references: Sequence[str], labels: Sequence[str] | None = None
) -> ConfusionMatrix:
    """Rows are references, columns predictions; labels default to the sorted union of both."""
    _check_lengths(predictions, references)
    ordered = list(labels) if labels is not None else sorted(set(references) | set(predictions))
    index = {label: i for i, label in enumerate(ordered)}
    for value in (*references, *predictions):
        if value not in index:
            raise ValueError(f"label {value!r} is not in the labels list {ordered}")
    counts = [[0] * len(ordered) for _ in ordered]
    for prediction, reference in zip(predictions, references, strict=True):
        counts[index[reference]][index[prediction]] += 1
    return ConfusionMatrix(labels=ordered, counts=counts)


def _safe_ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def per_class_scores(matrix: ConfusionMatrix) -> dict[str, ClassScores]:
    scores: dict[str, ClassScores] = {}
    size = len(matrix.labels)
    for i, label in enumerate(matrix.labels):
        true_positive = matrix.counts[i][i]
        predicted = sum(matrix.counts[r][i] for r in range(size))
        actual = sum(matrix.counts[i])
        precision = _safe_ratio(true_positive, predicted)
        recall = _safe_ratio(true_positive, actual)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = ClassScores(precision=precision, recall=recall, f1=f1, support=actual)
    return scores


def classification_report(
    predictions: Sequence[str], references: Sequence[str], labels: Sequence[str] | None = None
) -> ClassificationReport:
    """Macro averages are the unweighted mean over every label in the confusion matrix."""
    matrix = confusion_matrix(predictions, references, labels)
    per_class = per_class_scores(matrix)
    count = len(per_class)
    return ClassificationReport(
        accuracy=accuracy(predictions, references),
        macro_precision=sum(s.precision for s in per_class.values()) / count,
        macro_recall=sum(s.recall for s in per_class.values()) / count,
        macro_f1=sum(s.f1 for s in per_class.values()) / count,
        per_class=per_class,
        confusion=matrix,
    )
