"""RICE prioritisation: score = reach × impact × confidence / effort.

reach       tasks the use case touches per quarter (tasks per month × 3).
impact      per task, on the usual RICE scale: massive 3, high 2, medium 1, low 0.5, minimal 0.25.
            Read from the monthly value of time saved unless a reviewer sets it:
            ≥ $50,000 massive, ≥ $10,000 high, ≥ $2,000 medium, ≥ $500 low, else minimal.
confidence  high 100 %, medium 80 %, low 50 %. Read from the checklist verdict unless set:
            ready → high, needs_attention → medium, not_ready → low.
effort      person-months: weeks of the delivery plan × people on it / (52/12). Weeks by method from
            the architects' guide midpoints (LoRA/QLoRA 3-4 weeks → 3.5, full 5-8 weeks → 6.5), with a
            team of 3 (data engineer, ML engineer, part-time SME and MLOps) unless set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from tuneline.intake.form import FineTuningMethod
from tuneline.intake.qualification.checklist import Checklist, Verdict


class Impact(StrEnum):
    MASSIVE = "massive"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    MINIMAL = "minimal"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


IMPACT_SCALE: Mapping[Impact, float] = {
    Impact.MASSIVE: 3.0,
    Impact.HIGH: 2.0,
    Impact.MEDIUM: 1.0,
    Impact.LOW: 0.5,
    Impact.MINIMAL: 0.25,
}
CONFIDENCE_SCALE: Mapping[Confidence, float] = {Confidence.HIGH: 1.0, Confidence.MEDIUM: 0.8, Confidence.LOW: 0.5}
METHOD_WEEKS: Mapping[FineTuningMethod, float] = {
    FineTuningMethod.LORA: 3.5,
    FineTuningMethod.QLORA: 3.5,
    FineTuningMethod.FULL: 6.5,
}
WEEKS_PER_MONTH = 52 / 12
DEFAULT_TEAM_SIZE = 3


@dataclass(frozen=True)
class RiceScore:
    reach: float
    impact: Impact
    confidence: Confidence
    effort_person_months: float
    score: float


def rice_score(*, reach: float, impact: Impact, confidence: Confidence, effort_person_months: float) -> RiceScore:
    if reach < 0:
        raise ValueError(f"reach must not be negative, got {reach}")
    if effort_person_months <= 0:
        raise ValueError(f"effort_person_months must be positive, got {effort_person_months}")
    score = reach * IMPACT_SCALE[impact] * CONFIDENCE_SCALE[confidence] / effort_person_months
    return RiceScore(reach, impact, confidence, effort_person_months, score)


def impact_from_value(value_per_month_usd: float) -> Impact:
    for threshold, impact in ((50_000, Impact.MASSIVE), (10_000, Impact.HIGH), (2_000, Impact.MEDIUM)):
        if value_per_month_usd >= threshold:
            return impact
    return Impact.LOW if value_per_month_usd >= 500 else Impact.MINIMAL


def confidence_from_checklist(checklist: Checklist) -> Confidence:
    return {
        Verdict.READY: Confidence.HIGH,
        Verdict.NEEDS_ATTENTION: Confidence.MEDIUM,
        Verdict.NOT_READY: Confidence.LOW,
    }[checklist.verdict]


def effort_person_months(method: FineTuningMethod, team_size: int = DEFAULT_TEAM_SIZE) -> float:
    if team_size < 1:
        raise ValueError(f"team_size must be at least 1, got {team_size}")
    return METHOD_WEEKS[method] * team_size / WEEKS_PER_MONTH


@dataclass(frozen=True)
class RiceOverrides:
    """A reviewer's judgement where it beats the derived figure."""

    reach: float | None = None
    impact: Impact | None = None
    confidence: Confidence | None = None
    effort_person_months: float | None = None


def derive_rice(
    *,
    tasks_per_month: float,
    value_per_month_usd: float,
    checklist: Checklist,
    method: FineTuningMethod,
    overrides: RiceOverrides | None = None,
) -> RiceScore:
    o = overrides or RiceOverrides()
    return rice_score(
        reach=o.reach if o.reach is not None else tasks_per_month * 3,
        impact=o.impact or impact_from_value(value_per_month_usd),
        confidence=o.confidence or confidence_from_checklist(checklist),
        effort_person_months=(
            o.effort_person_months if o.effort_person_months is not None else effort_person_months(method)
        ),
    )
