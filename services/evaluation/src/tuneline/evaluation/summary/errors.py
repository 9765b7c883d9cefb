"""Error analysis: worst samples, per-class confusions, and samples where tuned did worse than base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tuneline.evaluation.metrics.classification import ConfusionMatrix
from tuneline.evaluation.results import SampleResult


@dataclass(frozen=True)
class ClassErrors:
    label: str
    support: int
    errors: int
    confused_with: dict[str, int]  # predicted label → count, most frequent first


def worst_samples(samples: Sequence[SampleResult], count: int = 10) -> list[SampleResult]:
    """Lowest tuned score first; ties keep the held-out order so the list is stable."""
    ranked = sorted(enumerate(samples), key=lambda pair: (pair[1].tuned.score, pair[0]))
    return [sample for _, sample in ranked[:count]]


def regressions(samples: Sequence[SampleResult]) -> list[SampleResult]:
    """Samples the tuned model scored lower than the base, largest drop first."""
    worse = [(i, s) for i, s in enumerate(samples) if s.tuned.score < s.base.score]
    worse.sort(key=lambda pair: (pair[1].tuned.score - pair[1].base.score, pair[0]))
    return [sample for _, sample in worse]


def per_class_errors(matrix: ConfusionMatrix) -> list[ClassErrors]:
    """Classes with at least one sample, most errors first."""
    result = []
    for i, label in enumerate(matrix.labels):
        row = matrix.counts[i]
        support = sum(row)
        if support == 0:
            continue
        confused = {matrix.labels[j]: n for j, n in enumerate(row) if j != i and n}
        ordered = dict(sorted(confused.items(), key=lambda item: (-item[1], item[0])))
        result.append(ClassErrors(label=label, support=support, errors=support - row[i], confused_with=ordered))
    result.sort(key=lambda c: (-c.errors, c.label))
    return result
