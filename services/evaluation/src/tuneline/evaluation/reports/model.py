"""The report model: one typed view of a stored JSON report that the HTML, PDF and Excel renderers all read.

The JSON report is the stored record (written once, re-read on every download); this module turns it into rows and
sentences once, so the three formats show the same metrics, verdict, reasons and samples in the same words. A
renderer decides layout only: it never reaches back into the JSON dict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NOT_MEASURED = "—"
REPLACEMENT = "\ufffd"
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def number(value: float | int | None, digits: int = 4) -> str:
    """A metric as text: ``digits`` significant figures, integers as they are, a dash when not measured."""
    if value is None:
        return NOT_MEASURED
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


@dataclass(frozen=True)
class Section:
    id: str
    title: str


SUMMARY = Section("summary", "Summary")
METRICS = Section("metrics", "Metrics, base vs tuned")
GATE = Section("gate", "Forgetting gate")
KPIS = Section("kpis", "KPI targets")
QUALITY = Section("quality", "Quality score")
PER_CLASS = Section("per_class", "Per-class metrics")
CONFUSION = Section("confusion", "Confusion matrices")
ERRORS = Section("errors", "Error analysis")
REVIEW = Section("review", "Human review")
LOSS = Section("loss", "Training loss")
SETTINGS = Section("settings", "Settings")

METRIC_HEADERS = ("metric", "base", "tuned", "change", "change %")
CATEGORY_HEADERS = ("suite category", "base", "tuned")
KPI_HEADERS = ("metric", "target", "tuned", "status", "reason")
QUALITY_HEADERS = ("component", "value (0-1)", "weight", "points", "what")
CLASS_HEADERS = (
    "class",
    "support",
    "precision base",
    "precision tuned",
    "recall base",
    "recall tuned",
    "F1 base",
    "F1 tuned",
)
SAMPLE_HEADERS = ("record", "prompt", "reference", "base output", "tuned output", "score base → tuned")
CLASS_ERROR_HEADERS = ("class", "support", "errors", "confused with")
REVIEW_HEADERS = ("criterion", "base mean", "tuned mean", "Krippendorff's alpha")
LOSS_HEADERS = ("step", "training loss", "validation loss")
SETTING_HEADERS = ("setting", "value")

WORST_TITLE = "Worst samples (tuned)"
CLASS_ERRORS_TITLE = "Errors per class (tuned)"
NO_GATE = "The general-capability suite was not run."
NO_KPIS = "No KPI targets were given for this use case."
NO_REVIEW = "No human review has been recorded yet."
NO_LOSS = "No training metric history was provided."
NO_REGRESSIONS = "None."


@dataclass(frozen=True)
class MetricRow:
    metric: str
    base: float | None
    tuned: float | None
    absolute: float | None
    percent: float | None
    higher_is_better: bool
    improved: bool

    @property
    def direction(self) -> str:
        """``better``, ``worse`` or empty (unchanged or not measurable)."""
        if self.improved:
            return "better"
        return "worse" if self.absolute else ""

    @property
    def change_text(self) -> str:
        return NOT_MEASURED if self.absolute is None else f"{self.absolute:+.4g}"

    @property
    def percent_text(self) -> str:
        return NOT_MEASURED if self.percent is None else f"{self.percent:+.1f}%"

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.metric, number(self.base), number(self.tuned), self.change_text, self.percent_text)


@dataclass(frozen=True)
class Gate:
    passed: bool
    reasons: list[str]
    max_perplexity_ratio: float
    max_suite_drop: float
    categories: list[tuple[str, float | None, float | None]]

    @property
    def verdict(self) -> str:
        return "PASSED" if self.passed else "FAILED"

    @property
    def limits(self) -> str:
        return (
            f"Limits: perplexity ratio ≤ ×{self.max_perplexity_ratio}, "
            f"suite drop ≤ {self.max_suite_drop * 100:.1f} points."
        )


@dataclass(frozen=True)
class KpiRow:
    metric: str
    target: float
    value: float | None
    met: bool
    reason: str

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.metric, number(self.target), number(self.value), "met" if self.met else "missed", self.reason)


@dataclass(frozen=True)
class QualityRow:
    name: str
    value: float | None
    weight: float
    points: float
    explanation: str

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.name, number(self.value), f"{self.weight:.1f}", f"{self.points:.1f}", self.explanation)


@dataclass(frozen=True)
class ClassScores:
    precision: float | None
    recall: float | None
    f1: float | None
    support: int


@dataclass(frozen=True)
class ClassRow:
    label: str
    base: ClassScores | None
    tuned: ClassScores | None

    @property
    def support(self) -> int:
        scores = self.tuned or self.base
        return scores.support if scores else 0

    def cells(self) -> tuple[str, ...]:
        b, t = self.base, self.tuned
        return (
            self.label,
            str(self.support),
            number(b.precision if b else None),
            number(t.precision if t else None),
            number(b.recall if b else None),
            number(t.recall if t else None),
            number(b.f1 if b else None),
            number(t.f1 if t else None),
        )


@dataclass(frozen=True)
class Confusion:
    """``counts[i][j]`` = samples whose reference is ``labels[i]`` and prediction ``labels[j]``."""

    model: str
    labels: list[str]
    counts: list[list[int]]

    @property
    def title(self) -> str:
        return f"Confusion matrix, {self.model}"


@dataclass(frozen=True)
class SampleRow:
    record_id: str
    prompt: str
    reference: str
    base_output: str
    tuned_output: str
    base_score: float
    tuned_score: float

    @property
    def score_text(self) -> str:
        return f"{self.base_score:.2f} → {self.tuned_score:.2f}"


@dataclass(frozen=True)
class ClassErrorRow:
    label: str
    support: int
    errors: int
    confused_with: dict[str, int]

    def cells(self) -> tuple[str, str, str, str]:
        confused = ", ".join(f"{k}: {v}" for k, v in self.confused_with.items())
        return (self.label, str(self.support), str(self.errors), confused)


@dataclass(frozen=True)
class Review:
    items_rated: int
    reviewers: int
    tuned_preferred: int
    base_preferred: int
    ties: int
    base_unsafe: int
    tuned_unsafe: int
    criteria: list[tuple[str, float | None, float | None, float | None]]  # name, base mean, tuned mean, alpha

    @property
    def summary(self) -> str:
        return (
            f"{self.items_rated} items rated by {self.reviewers} reviewers; tuned preferred "
            f"{self.tuned_preferred}×, base preferred {self.base_preferred}×, ties {self.ties}; "
            f"unsafe flags: base {self.base_unsafe}, tuned {self.tuned_unsafe}."
        )

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [(name, number(b), number(t), number(a)) for name, b, t, a in self.criteria]


@dataclass(frozen=True)
class LossPoint:
    step: float
    loss: float | None
    eval_loss: float | None


@dataclass(frozen=True)
class EvaluationReport:
    """Everything any format shows, already in rows and sentences."""

    evaluation_id: str | None
    generated_at: str
    task: str
    primary_metric: str
    quality_score: float
    kpis_met: bool
    metrics: list[MetricRow]
    gate: Gate | None
    kpis: list[KpiRow]
    quality: list[QualityRow]
    per_class: list[ClassRow]
    confusion: list[Confusion]
    worst: list[SampleRow]
    regressions: list[SampleRow]
    class_errors: list[ClassErrorRow]
    review: Review | None
    loss: list[LossPoint]
    settings: list[tuple[str, str]]

    @property
    def title(self) -> str:
        return f"Evaluation report {self.evaluation_id or ''}".strip()

    @property
    def verdict(self) -> str:
        """The forgetting gate's verdict: PASSED, FAILED or not run."""
        return self.gate.verdict if self.gate else "not run"

    @property
    def summary(self) -> str:
        return (
            f"Task: {self.task} · primary metric: {self.primary_metric} · quality score: "
            f"{self.quality_score:.1f}/100 · forgetting gate: {self.verdict} · KPIs met: "
            f"{'yes' if self.kpis_met else 'no'}"
        )

    @property
    def regressions_title(self) -> str:
        return f"Tuned worse than base ({len(self.regressions)})"

    @property
    def is_classification(self) -> bool:
        return bool(self.per_class or self.confusion)


def from_json(report: Mapping[str, Any]) -> EvaluationReport:
    """Read a JSON report (as ``json_report.build_report`` writes it); a missing part raises ``ValueError``
    naming it, so a corrupt stored report is refused instead of half-rendered."""
    try:
        return _read(report)
    except (KeyError, TypeError) as error:
        raise ValueError(f"the stored report is not a valid evaluation report: {error!r}") from error


def _read(report: Mapping[str, Any]) -> EvaluationReport:
    analysis = report["error_analysis"]
    return EvaluationReport(
        evaluation_id=report.get("evaluation_id"),
        generated_at=str(report["generated_at"]),
        task=str(report["task"]),
        primary_metric=str(report["primary_metric"]),
        quality_score=float(report["quality"]["score"]),
        kpis_met=bool(report["kpis_met"]),
        metrics=[
            MetricRow(
                metric=str(c["metric"]),
                base=c["base"],
                tuned=c["tuned"],
                absolute=c["absolute"],
                percent=c["percent"],
                higher_is_better=bool(c["higher_is_better"]),
                improved=bool(c["improved"]),
            )
            for c in report["changes"]
        ],
        gate=_gate(report.get("gate")),
        kpis=[
            KpiRow(str(k["metric"]), k["target"], k["value"], bool(k["met"]), str(k["reason"])) for k in report["kpis"]
        ],
        quality=[
            QualityRow(str(c["name"]), c["value"], c["weight"], c["points"], str(c["explanation"]))
            for c in report["quality"]["components"]
        ],
        per_class=_per_class(report.get("per_class") or {}),
        confusion=[
            Confusion(model, list(matrix["labels"]), [list(row) for row in matrix["counts"]])
            for model in ("base", "tuned")
            if (matrix := (report.get("confusion") or {}).get(model))
        ],
        worst=[_sample(s) for s in analysis["worst"]],
        regressions=[_sample(s) for s in analysis["regressions"]],
        class_errors=[
            ClassErrorRow(str(c["label"]), int(c["support"]), int(c["errors"]), dict(c["confused_with"]))
            for c in analysis["class_errors"]
        ],
        review=_review(report.get("review")),
        loss=[LossPoint(p["step"], p.get("loss"), p.get("eval_loss")) for p in report.get("loss_history") or []],
        settings=_flatten(report.get("settings") or {}),
    )


def _gate(gate: Mapping[str, Any] | None) -> Gate | None:
    if gate is None:
        return None
    base, tuned = gate["base"]["suite_per_category"], gate["tuned"]["suite_per_category"]
    return Gate(
        passed=bool(gate["passed"]),
        reasons=[str(r) for r in gate["reasons"]],
        max_perplexity_ratio=gate["thresholds"]["max_perplexity_ratio"],
        max_suite_drop=gate["thresholds"]["max_suite_drop"],
        categories=[(c, base.get(c), tuned.get(c)) for c in sorted(set(base) | set(tuned))],
    )


def _per_class(per_class: Mapping[str, Any]) -> list[ClassRow]:
    base, tuned = per_class.get("base") or {}, per_class.get("tuned") or {}

    def scores(found: Mapping[str, Any] | None) -> ClassScores | None:
        if found is None:
            return None
        return ClassScores(found["precision"], found["recall"], found["f1"], int(found["support"]))

    return [
        ClassRow(label, scores(base.get(label)), scores(tuned.get(label))) for label in sorted(set(base) | set(tuned))
    ]


def _sample(sample: Mapping[str, Any]) -> SampleRow:
    return SampleRow(
        record_id=str(sample["record_id"]),
        prompt=str(sample["prompt"]),
        reference=str(sample["reference"]),
        base_output=str(sample["base"]["output"]),
        tuned_output=str(sample["tuned"]["output"]),
        base_score=float(sample["base"]["score"]),
        tuned_score=float(sample["tuned"]["score"]),
    )


def _review(review: Mapping[str, Any] | None) -> Review | None:
    if not review:
        return None
    base, tuned = review["base"]["criteria"], review["tuned"]["criteria"]
    return Review(
        items_rated=int(review["items_rated"]),
        reviewers=int(review["reviewers"]),
        tuned_preferred=int(review["tuned_preferred"]),
        base_preferred=int(review["base_preferred"]),
        ties=int(review["ties"]),
        base_unsafe=int(review["base"]["unsafe"]),
        tuned_unsafe=int(review["tuned"]["unsafe"]),
        criteria=[(c, base[c]["mean"], tuned[c]["mean"], review["agreement"].get(c)) for c in tuned],
    )


def _flatten(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        else:
            rows.append((prefix, str(value)))

    walk("", settings)
    return rows


def without_controls(text: str) -> str:
    """Control characters (other than tab and line breaks) as a visible U+FFFD "�": they have no glyph, and XML
    (inside an .xlsx) cannot hold most of them."""
    return _CONTROLS.sub(REPLACEMENT, text)


def clipped(text: str, limit: int) -> str:
    """``text`` cut at ``limit`` characters with a visible note of how much was left out (formats with a page or
    a cell size use it; the JSON report always holds the whole text)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … [{len(text) - limit} more characters cut here; the JSON report has the full text]"
