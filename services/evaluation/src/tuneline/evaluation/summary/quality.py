"""A 0-100 quality score with its breakdown.

Components (each 0..1) and default weights:
- task (60): the tuned model's primary task metric (accuracy, field F1 or ROUGE-L; BLEU is divided by 100);
- kpis (20): share of KPI targets met;
- retention (20): general capability kept, the mean of min(1, base ppl / tuned ppl) and
  min(1, tuned suite / base suite) (a base suite score of 0 counts as fully retained).
A component that was not measured (no KPIs given, gate not run) is left out and the remaining weights are
rescaled, so the score is never dragged down by a missing input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tuneline.evaluation.gate.decision import GateDecision
from tuneline.evaluation.summary.kpi import KpiResult

DEFAULT_WEIGHTS: dict[str, float] = {"task": 60.0, "kpis": 20.0, "retention": 20.0}


@dataclass(frozen=True)
class QualityComponent:
    name: str
    value: float
    weight: float
    points: float
    explanation: str


@dataclass(frozen=True)
class QualityScore:
    score: float
    components: list[QualityComponent]


def _task_value(metric: str, value: float) -> float:
    scaled = value / 100.0 if metric == "bleu" else value
    return min(1.0, max(0.0, scaled))


def _retention(gate: GateDecision) -> float:
    perplexity_kept = min(1.0, gate.base.perplexity / gate.tuned.perplexity)
    base_suite = gate.base.suite_score
    suite_kept = 1.0 if base_suite == 0 else min(1.0, gate.tuned.suite_score / base_suite)
    return (perplexity_kept + suite_kept) / 2


def quality_score(
    primary_metric: str,
    tuned_metrics: Mapping[str, float],
    kpis: Sequence[KpiResult] = (),
    gate: GateDecision | None = None,
    weights: Mapping[str, float] | None = None,
) -> QualityScore:
    chosen = dict(weights or DEFAULT_WEIGHTS)
    if primary_metric not in tuned_metrics:
        raise ValueError(f"primary metric {primary_metric!r} is missing from the tuned metrics")
    parts: list[tuple[str, float, str]] = [
        ("task", _task_value(primary_metric, tuned_metrics[primary_metric]), f"tuned {primary_metric}")
    ]
    if kpis:
        met = sum(k.met for k in kpis)
        parts.append(("kpis", met / len(kpis), f"{met} of {len(kpis)} KPI targets met"))
    if gate is not None:
        parts.append(("retention", _retention(gate), "general perplexity and suite score kept vs base"))
    total_weight = sum(chosen[name] for name, _, _ in parts)
    components = [
        QualityComponent(
            name=name,
            value=value,
            weight=chosen[name] / total_weight * 100.0,
            points=value * chosen[name] / total_weight * 100.0,
            explanation=explanation,
        )
        for name, value, explanation in parts
    ]
    return QualityScore(score=sum(c.points for c in components), components=components)
