"""The assessment checklist: five criteria, each scored 0-5 with the reasons that set the score.

Rating: score ≥ 4 pass, 2-3 warn, ≤ 1 fail. Verdict: every item passes → ready; a failure → not_ready;
otherwise needs_attention. The scales:

data availability   usable records: < 100 → 1, < 1,000 → 3, < 10,000 → 4, else 5;
                    at most 1 when below the policy's minimum examples.
data sensitivity    5, −1 for PII, −2 for regulated data, −1 more when either is present and human
                    review is off. Proprietary data costs nothing (training and serving stay self-hosted).
model impact        value of time saved per month: ≥ $10,000 → 5, ≥ $2,000 → 4, ≥ $500 → 3, > 0 → 2,
                    else 1; −1 when no KPI states a baseline (uplift cannot be shown); −1 when payback
                    takes longer than 12 months or never comes.
model type          text 5; vision or multi-modal 2 (needs a vision-language base; recipes are text);
                    tabular 1 (gradient-boosted trees usually beat an LLM on tables).
evaluation metrics  a metric we can compute that fits the task → 5; only metrics that do not fit → 3;
                    none we can compute → 1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from tuneline.intake.costing.estimate import CostEstimate
from tuneline.intake.form import ModelType, TaskType, UseCaseForm


class Criterion(StrEnum):
    DATA_AVAILABILITY = "data_availability"
    DATA_SENSITIVITY = "data_sensitivity"
    MODEL_IMPACT = "model_impact"
    MODEL_TYPE = "model_type"
    EVALUATION_METRICS = "evaluation_metrics"


class Rating(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class Verdict(StrEnum):
    READY = "ready"
    NEEDS_ATTENTION = "needs_attention"
    NOT_READY = "not_ready"


@dataclass(frozen=True)
class CheckResult:
    criterion: Criterion
    score: int
    reasons: tuple[str, ...]

    @property
    def rating(self) -> Rating:
        if self.score >= 4:
            return Rating.PASS
        return Rating.WARN if self.score >= 2 else Rating.FAIL


@dataclass(frozen=True)
class Checklist:
    items: tuple[CheckResult, ...]

    @property
    def score(self) -> float:
        return sum(i.score for i in self.items) / len(self.items)

    @property
    def verdict(self) -> Verdict:
        ratings = {i.rating for i in self.items}
        if Rating.FAIL in ratings:
            return Verdict.NOT_READY
        return Verdict.READY if ratings == {Rating.PASS} else Verdict.NEEDS_ATTENTION

    def item(self, criterion: Criterion) -> CheckResult:
        return next(i for i in self.items if i.criterion is criterion)


def check_data_availability(form: UseCaseForm) -> CheckResult:
    n = form.total_examples
    minimum = form.policy.data_quality.min_examples
    reasons = [f"{n:,} usable records across {len(form.data_sources)} source(s)"]
    if n < 100:
        score = 1
        reasons.append("fewer than 100 examples: too few to fine-tune, enough for few-shot prompting")
    elif n < 1_000:
        score = 3
        reasons.append("hundreds of examples: enough for a LoRA adapter on a narrow task, thin for anything broad")
    elif n < 10_000:
        score = 4
        reasons.append("thousands of examples: enough for a LoRA/QLoRA fine-tune")
    else:
        score = 5
        reasons.append("ten thousand or more examples: ample for fine-tuning, also for full fine-tuning")
    if n < minimum:
        score = min(score, 1)
        reasons.append(f"below the policy's minimum of {minimum:,} examples: the dataset would be rejected")
    return CheckResult(Criterion.DATA_AVAILABILITY, score, tuple(reasons))


def check_data_sensitivity(form: UseCaseForm) -> CheckResult:
    s = form.sensitivity
    score, reasons = 5, []
    if s.pii:
        score -= 1
        reasons.append("contains PII: records must be redacted before training and never logged")
    if s.regulatory:
        score -= 2
        regs = ", ".join(s.regulations) or "unspecified regulation"
        reasons.append(f"regulated data ({regs}): needs a governance sign-off and a processing record")
    if (s.pii or s.regulatory) and not form.policy.human_review_required:
        score -= 1
        reasons.append("sensitive data with human review switched off: turn review on")
    if s.proprietary:
        reasons.append("proprietary data: keep training and serving self-hosted (the platform default)")
    if not reasons:
        reasons.append("no PII, regulated or proprietary data declared")
    return CheckResult(Criterion.DATA_SENSITIVITY, max(score, 0), tuple(reasons))


def check_model_impact(form: UseCaseForm, costs: CostEstimate) -> CheckResult:
    value = costs.value_per_month_usd
    reasons = [
        f"time saved is worth ${value:,.0f}/month "
        f"({costs.tasks_per_month:,.0f} tasks × {form.time_savings.minutes_saved_per_task:g} min)"
    ]
    if value >= 10_000:
        score = 5
    elif value >= 2_000:
        score = 4
    elif value >= 500:
        score = 3
    else:
        score = 2 if value > 0 else 1
    kpis = [k for o in form.objectives for k in o.kpis]
    if any(k.baseline is not None for k in kpis):
        reasons.append(f"{len(kpis)} KPI(s) with targets, uplift measurable against a baseline")
    else:
        score -= 1
        reasons.append("no KPI states a baseline: the uplift cannot be shown")
    payback = costs.payback_months
    if payback is None or payback > 12:
        score -= 1
        reasons.append(
            "training cost is never paid back by the value net of serving cost"
            if payback is None
            else f"payback takes {payback:.1f} months"
        )
    else:
        reasons.append(f"payback in {payback:.1f} months")
    return CheckResult(Criterion.MODEL_IMPACT, max(score, 0), tuple(reasons))


def check_model_type(form: UseCaseForm) -> CheckResult:
    if form.model_type is ModelType.TEXT:
        return CheckResult(Criterion.MODEL_TYPE, 5, ("text: what the platform's recipes fine-tune",))
    if form.model_type is ModelType.TABULAR:
        reason = "tabular prediction: gradient-boosted trees usually beat a language model on tables"
        return CheckResult(Criterion.MODEL_TYPE, 1, (reason,))
    reason = f"{form.model_type.value}: needs a vision-language base model; the training recipes are text-only"
    return CheckResult(Criterion.MODEL_TYPE, 2, (reason,))


_METRIC_SYNONYMS: Mapping[str, str] = {
    "accuracy": "accuracy",
    "acc": "accuracy",
    "f1": "f1",
    "f1score": "f1",
    "fscore": "f1",
    "macrof1": "f1",
    "precision": "precision",
    "recall": "recall",
    "bleu": "bleu",
    "sacrebleu": "bleu",
    "rouge": "rouge",
    "rougel": "rouge",
    "rouge1": "rouge",
    "rouge2": "rouge",
    "chrf": "chrf",
    "perplexity": "perplexity",
    "exactmatch": "exact_match",
    "em": "exact_match",
    "latency": "latency",
    "throughput": "throughput",
    "humanrating": "human_rating",
    "humanevaluation": "human_rating",
    "humanreview": "human_rating",
    "csat": "human_rating",
}

TASK_METRICS: Mapping[TaskType, frozenset[str]] = {
    TaskType.CLASSIFICATION: frozenset({"accuracy", "f1", "precision", "recall"}),
    TaskType.EXTRACTION: frozenset({"f1", "exact_match", "precision", "recall", "accuracy"}),
    TaskType.SUMMARISATION: frozenset({"rouge", "bleu", "chrf", "human_rating"}),
    TaskType.GENERATION: frozenset({"bleu", "rouge", "chrf", "perplexity", "human_rating"}),
    TaskType.CHAT: frozenset({"human_rating", "perplexity", "rouge", "bleu"}),
}


def canonical_metric(name: str) -> str | None:
    """ "F1 Score" → "f1", "ROUGE-L" → "rouge"; None for metrics we cannot compute."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return _METRIC_SYNONYMS.get(key)


def check_evaluation_metrics(form: UseCaseForm) -> CheckResult:
    known = {m: canonical_metric(m) for m in form.evaluation_metrics}
    unknown = [m for m, c in known.items() if c is None]
    fitting = sorted({c for c in known.values() if c in TASK_METRICS[form.task_type]})
    reasons = []
    if fitting:
        score = 5
        reasons.append(f"{', '.join(fitting)} measure(s) {form.task_type.value} directly")
    elif len(unknown) < len(known):
        score = 3
        suggested = ", ".join(sorted(TASK_METRICS[form.task_type]))
        reasons.append(f"no metric fits {form.task_type.value}; add one of {suggested}")
    else:
        score = 1
        reasons.append("none of the metrics can be computed automatically")
    if unknown:
        reasons.append(f"not computed automatically: {', '.join(unknown)}")
    return CheckResult(Criterion.EVALUATION_METRICS, score, tuple(reasons))


def run_checklist(form: UseCaseForm, costs: CostEstimate) -> Checklist:
    return Checklist(
        (
            check_data_availability(form),
            check_data_sensitivity(form),
            check_model_impact(form, costs),
            check_model_type(form),
            check_evaluation_metrics(form),
        )
    )
