"""The cost and ROI estimate of one use case, read off its intake form.

Token counts come from the form's example pairs at ``chars_per_token`` characters per token (≈4 for
English with BPE tokenizers) unless the form states average request sizes. The prompting route puts an
instruction and all the form's examples into every request (few-shot); the fine-tuned model gets the bare
input, because the task is in its weights. Training uses the data sources' volume, capped at
``max_training_examples`` (beyond that a dataset is sampled, not used whole), for the preset's epochs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from tuneline.common.costing import HardwareProfile, default_profile
from tuneline.intake.costing.hardware import DEFAULT_PROFILES, ServingProfile
from tuneline.intake.costing.inference import (
    DAYS_PER_MONTH,
    DEFAULT_API_PRICING,
    ApiPricing,
    InferenceEstimate,
    api_cost_per_month,
    estimate_self_hosted,
)
from tuneline.intake.costing.roi import PromptingComparison, compare_with_prompting, payback_months, value_per_month
from tuneline.intake.costing.training import TrainingEstimate, estimate_training
from tuneline.intake.form import TrainingPreset, UseCaseForm

# Epochs per preset (FR-018: quick start 1, balanced 3, quality-focused 5; cost-optimised trims to 2).
PRESET_EPOCHS: Mapping[TrainingPreset, int] = {
    TrainingPreset.QUICK_START: 1,
    TrainingPreset.BALANCED: 3,
    TrainingPreset.QUALITY_FOCUSED: 5,
    TrainingPreset.COST_OPTIMIZED: 2,
}


@dataclass(frozen=True)
class CostAssumptions:
    profiles: Mapping[str, ServingProfile] = field(default_factory=lambda: dict(DEFAULT_PROFILES))  # serving
    # The shared training model's profile (tuneline.common.costing), with intake's measured throughput folded in.
    training_hardware: HardwareProfile = field(default_factory=lambda: default_profile("cpu-2core"))
    serving_profile: str = "l4"
    training_gpus: int = 1
    min_replicas: int = 1  # always-on serving replicas; 0 = scale to zero
    prompting: ApiPricing = DEFAULT_API_PRICING
    instruction_tokens: int = 150  # the task description a prompted general model needs in every request
    rag_context_tokens: int = 1500  # retrieved passages added to every RAG request
    chars_per_token: float = 4.0
    max_training_examples: int = 20_000
    months: int = 12

    def profile(self, name: str) -> ServingProfile:
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise ValueError(f"unknown hardware profile {name!r}; known: {known}") from None


@dataclass(frozen=True)
class TokenProfile:
    per_training_example: int
    request_input: int
    request_output: int
    prompting_input: int  # instruction + few-shot examples + request input
    rag_input: int  # instruction + retrieved context + request input


@dataclass(frozen=True)
class CostEstimate:
    tokens: TokenProfile
    training_examples: int
    epochs: int
    training: TrainingEstimate
    inference: InferenceEstimate
    prompting_monthly_usd: float
    rag_monthly_usd: float
    tasks_per_month: float
    value_per_month_usd: float
    payback_months: float | None  # training cost paid back by value net of fine-tuned inference
    comparison: PromptingComparison


def _tokens(text: str, chars_per_token: float) -> int:
    return math.ceil(len(text) / chars_per_token)


def token_profile(form: UseCaseForm, assumptions: CostAssumptions) -> TokenProfile:
    cpt = assumptions.chars_per_token
    inputs = [_tokens(e.input, cpt) for e in form.examples]
    outputs = [_tokens(e.desired_output, cpt) for e in form.examples]
    request_input = form.request_volume.avg_input_tokens or math.ceil(sum(inputs) / len(inputs))
    request_output = form.request_volume.avg_output_tokens or math.ceil(sum(outputs) / len(outputs))
    return TokenProfile(
        per_training_example=math.ceil((sum(inputs) + sum(outputs)) / len(inputs)),
        request_input=request_input,
        request_output=request_output,
        prompting_input=assumptions.instruction_tokens + sum(inputs) + sum(outputs) + request_input,
        rag_input=assumptions.instruction_tokens + assumptions.rag_context_tokens + request_input,
    )


def estimate_costs(form: UseCaseForm, assumptions: CostAssumptions | None = None) -> CostEstimate:
    a = assumptions or CostAssumptions()
    tokens = token_profile(form, a)
    examples = min(form.total_examples, a.max_training_examples)
    epochs = PRESET_EPOCHS[form.policy.training_preset]
    training = estimate_training(
        examples=examples,
        tokens_per_example=tokens.per_training_example,
        epochs=epochs,
        parameters=form.parameters,
        method=form.fine_tuning_method,
        profile=a.training_hardware,
        gpus=a.training_gpus,
    )
    per_day = form.request_volume.requests_per_day
    inference = estimate_self_hosted(
        requests_per_day=per_day,
        input_tokens=tokens.request_input,
        output_tokens=tokens.request_output,
        parameters=form.parameters,
        profile=a.profile(a.serving_profile),
        min_replicas=a.min_replicas,
    )
    prompting = api_cost_per_month(
        requests_per_day=per_day,
        input_tokens=tokens.prompting_input,
        output_tokens=tokens.request_output,
        pricing=a.prompting,
    )
    rag = api_cost_per_month(
        requests_per_day=per_day,
        input_tokens=tokens.rag_input,
        output_tokens=tokens.request_output,
        pricing=a.prompting,
    )
    savings = form.time_savings
    tasks = savings.tasks_per_month if savings.tasks_per_month is not None else per_day * DAYS_PER_MONTH
    value = value_per_month(
        tasks_per_month=tasks,
        minutes_saved_per_task=savings.minutes_saved_per_task,
        hourly_cost_usd=savings.hourly_cost_usd,
    )
    return CostEstimate(
        tokens=tokens,
        training_examples=examples,
        epochs=epochs,
        training=training,
        inference=inference,
        prompting_monthly_usd=prompting,
        rag_monthly_usd=rag,
        tasks_per_month=tasks,
        value_per_month_usd=value,
        payback_months=payback_months(
            upfront_usd=training.cost_usd,
            value_per_month=value,
            running_cost_per_month=inference.cost_usd_per_month,
        ),
        comparison=compare_with_prompting(
            training_cost_usd=training.cost_usd,
            fine_tuned_monthly_usd=inference.cost_usd_per_month,
            prompting_monthly_usd=prompting,
            months=a.months,
        ),
    )
