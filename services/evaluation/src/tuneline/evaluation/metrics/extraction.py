"""Field-level F1 for extraction tasks whose outputs are JSON objects.

Both sides are flattened to ``path → value`` pairs (nested objects joined with ".", list items indexed
"[i]"); values are compared after normalising strings (case, surrounding spaces) and numbers (1 == 1.0).
A pair is a true positive when the same path carries an equal value in both. An unparsable prediction scores
0 and carries the parse error as its reason; an unparsable reference is a data error and raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


@dataclass(frozen=True)
class FieldScore:
    precision: float
    recall: float
    f1: float
    reason: str | None = None


@dataclass(frozen=True)
class FieldF1Report:
    precision: float
    recall: float
    f1: float
    parse_failures: int
    samples: list[FieldScore]


def _normal_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return " ".join(value.strip().lower().split())
    return value


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        pairs: dict[str, Any] = {}
        for key, item in value.items():
            pairs.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return pairs
    if isinstance(value, list):
        pairs = {}
        for i, item in enumerate(value):
            pairs.update(flatten(item, f"{prefix}[{i}]"))
        return pairs
    return {prefix: _normal_value(value)}


def _parse(text: str) -> dict[str, Any]:
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1)
    value = json.loads(stripped)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value


def field_scores(prediction: str, reference: str) -> FieldScore:
    try:
        expected = flatten(_parse(reference))
    except ValueError as error:
        raise ValueError(f"reference is not a JSON object: {error}") from error
    try:
        predicted = flatten(_parse(prediction))
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        return FieldScore(0.0, 0.0, 0.0, reason=f"prediction is not a JSON object: {error}")
    if not expected and not predicted:
        return FieldScore(1.0, 1.0, 1.0)
    hits = sum(1 for path, value in predicted.items() if path in expected and expected[path] == value)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(expected) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return FieldScore(precision, recall, f1)


def field_f1(predictions: Sequence[str], references: Sequence[str]) -> FieldF1Report:
    """Macro average over samples: each sample weighs the same whatever its number of fields."""
    if len(predictions) != len(references):
        raise ValueError(
            f"predictions has {len(predictions)} items but references has {len(references)}; they must pair up"
        )
    if not references:
        raise ValueError("references is empty: a metric needs at least one sample")
    samples = []
    for index, (prediction, reference) in enumerate(zip(predictions, references, strict=True)):
        try:
            samples.append(field_scores(prediction, reference))
        except ValueError as error:
            raise ValueError(f"sample {index}: {error}") from error
    count = len(samples)
    return FieldF1Report(
        precision=sum(s.precision for s in samples) / count,
        recall=sum(s.recall for s in samples) / count,
        f1=sum(s.f1 for s in samples) / count,
        parse_failures=sum(s.reason is not None for s in samples),
        samples=samples,
    )
