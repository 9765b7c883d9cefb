"""The JSON report: everything a reader or another tool needs about one evaluation, in plain JSON types.

The HTML report is rendered from this document, so the two never disagree and the service can re-render
HTML from a stored JSON report.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tuneline.evaluation.results import EvaluationOutcome, SampleResult
from tuneline.evaluation.review.aggregates import ReviewAggregates
from tuneline.evaluation.summary.report import ImprovementSummary

SCHEMA_VERSION = 1


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_plain(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/inf
    return value


def _sample(sample: SampleResult) -> dict[str, Any]:
    plain: dict[str, Any] = to_plain(sample)
    return plain


def validate_loss_history(history: Sequence[Mapping[str, Any]]) -> list[dict[str, float]]:
    """Each point needs a numeric ``step`` and at least one numeric loss (``loss`` / ``eval_loss``)."""
    points = []
    for index, point in enumerate(history):
        step = point.get("step")
        if isinstance(step, bool) or not isinstance(step, int | float):
            raise ValueError(f"loss_history[{index}].step must be a number, got {step!r}")
        losses = {k: float(point[k]) for k in ("loss", "eval_loss") if isinstance(point.get(k), int | float)}
        if not losses:
            raise ValueError(f"loss_history[{index}] needs a numeric 'loss' or 'eval_loss'")
        points.append({"step": float(step), **losses})
    return points


def build_report(
    outcome: EvaluationOutcome,
    summary: ImprovementSummary,
    *,
    evaluation_id: str | None = None,
    review: ReviewAggregates | None = None,
    loss_history: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "evaluation_id": evaluation_id,
        "generated_at": datetime.now(UTC).isoformat(),
        "task": outcome.task,
        "primary_metric": outcome.primary_metric,
        "started_at": outcome.started_at.isoformat(),
        "finished_at": outcome.finished_at.isoformat(),
        "settings": to_plain(outcome.settings),
        "metrics": {"base": to_plain(outcome.base.metrics), "tuned": to_plain(outcome.tuned.metrics)},
        "changes": to_plain(summary.changes),
        "kpis": to_plain(summary.kpis),
        "kpis_met": summary.kpis_met,
        "quality": to_plain(summary.quality),
        "gate": to_plain(outcome.gate) if outcome.gate else None,
        "confusion": {
            "base": to_plain(outcome.base.confusion) if outcome.base.confusion else None,
            "tuned": to_plain(outcome.tuned.confusion) if outcome.tuned.confusion else None,
        },
        "per_class": {
            "base": to_plain(outcome.base.per_class) if outcome.base.per_class else None,
            "tuned": to_plain(outcome.tuned.per_class) if outcome.tuned.per_class else None,
        },
        "error_analysis": {
            "worst": [_sample(s) for s in summary.worst],
            "regressions": [_sample(s) for s in summary.regressions],
            "class_errors": to_plain(summary.class_errors),
        },
        "review": to_plain(review) if review else None,
        "loss_history": validate_loss_history(loss_history) if loss_history else None,
        "samples": [_sample(s) for s in outcome.samples],
    }
    return report
