"""The improvement summary of one evaluation: changes, KPIs, quality score and error analysis together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tuneline.evaluation.results import EvaluationOutcome, SampleResult
from tuneline.evaluation.summary.errors import ClassErrors, per_class_errors, regressions, worst_samples
from tuneline.evaluation.summary.improvement import MetricChange, compare
from tuneline.evaluation.summary.kpi import KpiResult, check_kpis
from tuneline.evaluation.summary.quality import QualityScore, quality_score


@dataclass(frozen=True)
class ImprovementSummary:
    changes: list[MetricChange]
    kpis: list[KpiResult]
    quality: QualityScore
    worst: list[SampleResult]
    regressions: list[SampleResult]
    class_errors: list[ClassErrors]

    @property
    def kpis_met(self) -> bool:
        return all(k.met for k in self.kpis)


def summarise(
    outcome: EvaluationOutcome, kpi_targets: Mapping[str, float] | None = None, worst_count: int = 10
) -> ImprovementSummary:
    kpis = check_kpis(kpi_targets or {}, outcome.tuned.metrics)
    return ImprovementSummary(
        changes=compare(outcome.base.metrics, outcome.tuned.metrics),
        kpis=kpis,
        quality=quality_score(outcome.primary_metric, outcome.tuned.metrics, kpis, outcome.gate),
        worst=worst_samples(outcome.samples, worst_count),
        regressions=regressions(outcome.samples),
        class_errors=per_class_errors(outcome.tuned.confusion) if outcome.tuned.confusion else [],
    )
