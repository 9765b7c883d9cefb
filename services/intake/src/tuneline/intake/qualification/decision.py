"""Should this use case be fine-tuned? A rule-based decision record comparing four approaches.

Every approach starts at 0 and each rule that applies adds or removes points, with the reason kept:

data volume     < 100 examples: fine-tuning ruled out, few-shot +2 (put the examples in the prompt);
                100-999: fine-tuning +1, few-shot +1; ≥ 1,000: fine-tuning +2.
freshness       knowledge changes daily or weekly: RAG +3, fine-tuning −2 (weights go stale at once);
                monthly: RAG +1, fine-tuning −1.
consistency     fixed style/format wanted, or a classification/extraction task: fine-tuning +2,
                few-shot +1, prompting −1 (instructions alone drift in format).
open-ended task summarisation/generation/chat without a format need: prompting +1 (general models do
                these well zero-shot).
cost at volume  fine-tuning cheaper over the comparison period (training + self-hosted serving versus
                few-shot through an API): fine-tuning +2; otherwise prompting +1 and few-shot +1.
latency         interactive with p95 ≤ 1,000 ms: fine-tuning +1, few-shot −1, RAG −1 (long prompts and a
                retrieval hop cost time; a small tuned model answers a short prompt fastest).
sensitivity     PII or regulated data: fine-tuning −1, RAG +1 (data in weights cannot be deleted or
                access-controlled; a retrieval store can).

The highest score wins; ties go to the simpler approach (prompting, few-shot, RAG, fine-tuning).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from tuneline.intake.costing.estimate import CostEstimate
from tuneline.intake.form import KnowledgeChange, TaskType, UseCaseForm


class Approach(StrEnum):
    PROMPTING = "prompting"
    FEW_SHOT = "few_shot"
    RAG = "rag"
    FINE_TUNING = "fine_tuning"


SIMPLEST_FIRST = (Approach.PROMPTING, Approach.FEW_SHOT, Approach.RAG, Approach.FINE_TUNING)
MIN_FINE_TUNING_EXAMPLES = 100
LOW_LATENCY_MS = 1_000

P, F, R, T = Approach.PROMPTING, Approach.FEW_SHOT, Approach.RAG, Approach.FINE_TUNING


@dataclass(frozen=True)
class Factor:
    name: str
    effects: Mapping[Approach, int]
    reason: str


@dataclass(frozen=True)
class Decision:
    recommended: Approach
    scores: Mapping[Approach, int]
    ruled_out: Mapping[Approach, str]
    factors: tuple[Factor, ...]

    @property
    def fine_tune(self) -> bool:
        return self.recommended is Approach.FINE_TUNING

    @property
    def why(self) -> tuple[str, ...]:
        """Reasons that favoured the choice, then (when not fine-tuning) those that counted against it."""
        favoured = [f.reason for f in self.factors if f.effects.get(self.recommended, 0) > 0]
        if self.fine_tune:
            return tuple(favoured)
        against = [f.reason for f in self.factors if f.effects.get(T, 0) < 0]
        against += [f"fine-tuning ruled out: {r}" for a, r in self.ruled_out.items() if a is T]
        return tuple(dict.fromkeys(favoured + against))

    @property
    def summary(self) -> str:
        verdict = "fine-tune" if self.fine_tune else f"don't fine-tune, use {self.recommended.value}"
        return f"{verdict}: " + "; ".join(self.why) if self.why else verdict


def _data_volume(form: UseCaseForm) -> tuple[Factor, str | None]:
    n = form.total_examples
    if n < MIN_FINE_TUNING_EXAMPLES:
        reason = f"only {n} examples: a handful of them in the prompt (few-shot) is the way to use them"
        veto = f"{n} examples, at least {MIN_FINE_TUNING_EXAMPLES} are needed"
        return Factor("data_volume", {F: 2}, reason), veto
    if n < 1_000:
        return Factor("data_volume", {T: 1, F: 1}, f"{n:,} examples: enough for a narrow LoRA adapter"), None
    return Factor("data_volume", {T: 2}, f"{n:,} examples: enough to fine-tune"), None


def _freshness(form: UseCaseForm) -> Factor | None:
    change = form.knowledge_change
    if change in (KnowledgeChange.DAILY, KnowledgeChange.WEEKLY):
        reason = f"knowledge changes {change.value}: tuned weights would be stale at once; retrieve it per request"
        return Factor("knowledge_freshness", {R: 3, T: -2}, reason)
    if change is KnowledgeChange.MONTHLY:
        return Factor("knowledge_freshness", {R: 1, T: -1}, "knowledge changes monthly: retraining would lag")
    return None


def _consistency(form: UseCaseForm) -> Factor | None:
    structured = form.task_type in (TaskType.CLASSIFICATION, TaskType.EXTRACTION)
    if form.needs_consistent_format or structured:
        what = "a fixed style or format" if form.needs_consistent_format else f"{form.task_type.value} labels"
        reason = f"outputs must follow {what} every time: tuning holds it, instructions alone drift"
        return Factor("format_consistency", {T: 2, F: 1, P: -1}, reason)
    reason = f"open-ended {form.task_type.value} with no format need: general models do it zero-shot"
    return Factor("open_ended_task", {P: 1}, reason)


def _cost(costs: CostEstimate) -> Factor:
    c = costs.comparison
    totals = (
        f"fine-tuning ${c.fine_tuning_total_usd:,.0f} vs few-shot prompting ${c.prompting_total_usd:,.0f}"
        f" over {c.months} months"
    )
    if c.fine_tuning_cheaper:
        return Factor("cost_at_volume", {T: 2}, f"cheaper to fine-tune at this volume: {totals}")
    return Factor("cost_at_volume", {P: 1, F: 1}, f"cheaper to prompt at this volume: {totals}")


def _latency(form: UseCaseForm) -> Factor | None:
    if form.latency.interactive and form.latency.p95_ms <= LOW_LATENCY_MS:
        reason = (
            f"p95 ≤ {form.latency.p95_ms} ms: a tuned model with a short prompt answers fastest; "
            "long few-shot prompts and a retrieval hop add time"
        )
        return Factor("latency", {T: 1, F: -1, R: -1}, reason)
    return None


def _sensitivity(form: UseCaseForm) -> Factor | None:
    if form.sensitivity.pii or form.sensitivity.regulatory:
        reason = (
            "personal or regulated data: once in the weights it cannot be deleted or access-controlled "
            "(redact before any training); a retrieval store keeps it governable"
        )
        return Factor("sensitivity", {T: -1, R: 1}, reason)
    return None


def decide(form: UseCaseForm, costs: CostEstimate) -> Decision:
    volume, veto = _data_volume(form)
    candidates = (volume, _freshness(form), _consistency(form), _cost(costs), _latency(form), _sensitivity(form))
    factors = tuple(f for f in candidates if f is not None)
    scores = {a: sum(f.effects.get(a, 0) for f in factors) for a in SIMPLEST_FIRST}
    ruled_out = {T: veto} if veto else {}
    eligible = [a for a in SIMPLEST_FIRST if a not in ruled_out]
    # max() keeps the first of equal scores, and eligible is ordered simplest first.
    recommended = max(eligible, key=lambda a: scores[a])
    return Decision(recommended=recommended, scores=scores, ruled_out=ruled_out, factors=factors)
