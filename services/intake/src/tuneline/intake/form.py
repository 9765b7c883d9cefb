"""The use-case intake form: everything a business unit tells us before anything is built.

The models validate one complete, submittable form. A draft is the same shape with fields still
missing (see ``validation.py``), so there is one definition of every field and its rules.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from tuneline.common.records import PromptTemplate


class ModelType(StrEnum):
    TEXT = "text"
    VISION = "vision"
    MULTI_MODAL = "multi_modal"
    TABULAR = "tabular"


class TaskType(StrEnum):
    CLASSIFICATION = "classification"
    EXTRACTION = "extraction"
    SUMMARISATION = "summarisation"
    GENERATION = "generation"
    CHAT = "chat"


class FineTuningMethod(StrEnum):
    LORA = "lora"
    QLORA = "qlora"
    FULL = "full"


class DataSourceKind(StrEnum):
    LOGS = "logs"
    DOCUMENTS = "documents"
    DATABASE = "database"
    ERP_EXPORT = "erp_export"
    SENSOR = "sensor"
    TICKETS = "tickets"
    HUMAN_REPORTS = "human_reports"
    API = "api"
    OTHER = "other"


class TrainingPreset(StrEnum):
    QUICK_START = "quick_start"
    BALANCED = "balanced"
    QUALITY_FOCUSED = "quality_focused"
    COST_OPTIMIZED = "cost_optimized"


class KnowledgeChange(StrEnum):
    """How often the facts the model must know change; drives the RAG-versus-fine-tuning call."""

    RARELY = "rarely"
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    DAILY = "daily"


class KpiDirection(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


# People type "Multi-Modal", "QLoRA", "summarization"; the stored value is always the canonical one.
_SPELLINGS = {"summarization": "summarisation", "multimodal": "multi_modal", "cost_optimised": "cost_optimized"}


def normalise_choice(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return _SPELLINGS.get(key, key)


_PARAMS_IN_NAME = re.compile(r"(?<![A-Za-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)([BbMm])(?![A-Za-z0-9])")


def parameters_from_model_name(name: str) -> int | None:
    """Parameter count spelled in a model name ("LLaMA2-7B" → 7e9, "SmolLM2-135M" → 135e6, "8x7B" → 56e9)."""
    matches = list(_PARAMS_IN_NAME.finditer(name))
    if not matches:
        return None
    experts, size, unit = matches[-1].groups()
    scale = 1_000_000_000 if unit.lower() == "b" else 1_000_000
    return round(float(size) * scale * (int(experts) if experts else 1))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Kpi(_Strict):
    name: str = Field(min_length=1, max_length=200, description="What is measured, e.g. 'downtime hours'.")
    target: float = Field(description="The value the use case must reach.")
    unit: str = Field(default="", max_length=50, description="Unit of target and baseline, e.g. '%', 'hours'.")
    baseline: float | None = Field(default=None, description="Today's value, when known.")
    direction: KpiDirection = Field(default=KpiDirection.INCREASE, description="Whether higher or lower is better.")

    _norm = field_validator("direction", mode="before")(normalise_choice)

    @model_validator(mode="after")
    def _target_improves_on_baseline(self) -> Kpi:
        if self.baseline is None:
            return self
        if self.direction is KpiDirection.INCREASE and self.target <= self.baseline:
            raise ValueError("target must be above baseline for a KPI that should increase")
        if self.direction is KpiDirection.DECREASE and self.target >= self.baseline:
            raise ValueError("target must be below baseline for a KPI that should decrease")
        return self


class Objective(_Strict):
    statement: str = Field(min_length=1, max_length=1000)
    kpis: list[Kpi] = Field(min_length=1, description="At least one measurable KPI with a target.")


class DataSource(_Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: DataSourceKind = DataSourceKind.OTHER
    volume_estimate: int = Field(ge=0, description="Usable records (candidate training examples) available.")
    owner: str = Field(min_length=1, max_length=200, description="Who grants access to this data.")

    _norm = field_validator("kind", mode="before")(normalise_choice)


class DataSensitivity(_Strict):
    pii: bool = Field(description="Contains personal data (names, emails, phone numbers, ...).")
    regulatory: bool = Field(description="Falls under a regulation (GDPR, HIPAA, SOX, ...).")
    proprietary: bool = Field(description="Trade secrets or confidential business data.")
    regulations: list[str] = Field(default_factory=list, description="Which regulations apply.")

    @model_validator(mode="after")
    def _regulations_imply_regulatory(self) -> DataSensitivity:
        if self.regulations and not self.regulatory:
            raise ValueError("regulations are listed, so regulatory must be true")
        return self


class Stakeholder(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=100, description="e.g. 'business owner', 'SME', 'data owner'.")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")


class ExamplePair(_Strict):
    input: str = Field(min_length=1, max_length=20_000)
    desired_output: str = Field(min_length=1, max_length=20_000)


class RequestVolume(_Strict):
    requests_per_day: int = Field(ge=0, description="Expected inference requests per day once in production.")
    avg_input_tokens: int | None = Field(default=None, gt=0, description="Defaults to the examples' length.")
    avg_output_tokens: int | None = Field(default=None, gt=0, description="Defaults to the examples' length.")


class LatencyNeeds(_Strict):
    p95_ms: int = Field(gt=0, description="Acceptable 95th-percentile response time in milliseconds.")
    interactive: bool = Field(default=True, description="A person waits for the answer (false: batch).")


class TimeSavings(_Strict):
    minutes_saved_per_task: float = Field(ge=0, description="Human minutes saved each time the model is used.")
    hourly_cost_usd: float = Field(ge=0, description="Loaded cost of one hour of the people doing the task.")
    tasks_per_month: int | None = Field(
        default=None, ge=0, description="Tasks the saving applies to; defaults to the request volume."
    )


class DataQualityThresholds(_Strict):
    min_quality_score: float = Field(default=60.0, ge=0, le=100, description="Dataset quality score (0-100).")
    min_examples: int = Field(default=100, ge=1, description="Fewest examples a dataset may have.")
    max_duplicate_ratio: float = Field(default=0.05, ge=0, le=1)
    max_pii_ratio: float = Field(default=0.01, ge=0, le=1, description="Share of records with PII left.")


class Redaction(StrEnum):
    NONE = "none"
    REPLACE = "replace"
    MASK = "mask"
    HASH = "hash"


class Policy(_Strict):
    """What the platform does on its own for this use case (defaults match the platform's)."""

    auto_train: bool = Field(default=True, description="Start training as soon as a dataset is ready.")
    training_preset: TrainingPreset = TrainingPreset.BALANCED
    data_quality: DataQualityThresholds = Field(default_factory=DataQualityThresholds)
    human_review_required: bool = Field(default=False, description="Promotion needs a person's review.")
    redaction: Redaction | None = Field(
        default=None, description="PII redaction of uploads; unset: 'replace' when the data has PII, else 'none'."
    )
    auto_rollback: bool = Field(default=True, description="Roll a canary back when its alerts fire.")
    log_prompts: bool = Field(default=False, description="Inference logs may keep prompt text (drift checks).")

    _norm = field_validator("training_preset", "redaction", mode="before")(normalise_choice)


class UseCaseForm(_Strict):
    title: str = Field(min_length=3, max_length=200)
    industry: str = Field(min_length=1, max_length=100)
    business_unit: str = Field(min_length=1, max_length=100)
    problem_statement: str = Field(min_length=10, max_length=5000)
    objectives: list[Objective] = Field(min_length=1)
    data_sources: list[DataSource] = Field(min_length=1)
    sensitivity: DataSensitivity
    model_type: ModelType
    task_type: TaskType
    candidate_base_model: str = Field(min_length=1, max_length=300, description="HF id or local path.")
    base_model_parameters: int | None = Field(
        default=None,
        gt=0,
        validate_default=True,
        description="Parameter count; read from the model name (e.g. '-7B') when not given.",
    )
    fine_tuning_method: FineTuningMethod
    evaluation_metrics: list[str] = Field(min_length=1)
    expected_outcome: str = Field(min_length=1, max_length=2000)
    owner: str = Field(min_length=1, max_length=200, description="Accountable person for the use case.")
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    examples: list[ExamplePair] = Field(min_length=3, max_length=5, description="3-5 input → output pairs.")
    request_volume: RequestVolume
    latency: LatencyNeeds
    time_savings: TimeSavings
    knowledge_change: KnowledgeChange = Field(default=KnowledgeChange.RARELY)
    needs_consistent_format: bool = Field(
        default=False, description="Outputs must follow a fixed style or structure every time."
    )
    labels: list[str] = Field(
        default_factory=list, description="Label set of a classification; unset: the examples' outputs."
    )
    task_description: str | None = Field(
        default=None,
        min_length=5,
        max_length=2000,
        description=(
            "The instruction the model gets with every input, e.g. 'Route this customer-support ticket to the team "
            "that should handle it.'; unset: the problem statement."
        ),
    )
    output_format: str | None = Field(
        default=None, max_length=1000, description="How the answer must look, e.g. 'Reply with the team name only.'"
    )
    input_name: str = Field(
        default="Input", min_length=1, max_length=50, description="What one input is called, e.g. 'Ticket'."
    )
    policy: Policy = Field(default_factory=Policy)

    _norm = field_validator("model_type", "task_type", "fine_tuning_method", "knowledge_change", mode="before")(
        normalise_choice
    )

    @field_validator("evaluation_metrics")
    @classmethod
    def _metrics_not_blank(cls, metrics: list[str]) -> list[str]:
        if any(not m for m in metrics):
            raise ValueError("metric names must not be blank")
        return metrics

    @field_validator("base_model_parameters", mode="after")
    @classmethod
    def _parameters_known(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None:
            return value
        name = info.data.get("candidate_base_model")
        if name is None:  # the model name itself is missing or invalid and is reported on its own
            return None
        parsed = parameters_from_model_name(name)
        if parsed is None:
            raise ValueError(f"cannot tell the size of {name!r} from its name; give base_model_parameters")
        return parsed

    @property
    def parameters(self) -> int:
        if self.base_model_parameters is None:  # only when validation was bypassed (model_construct)
            raise ValueError("base_model_parameters is unknown")
        return self.base_model_parameters

    @property
    def label_set(self) -> list[str]:
        """Declared labels, or for a classification the distinct outputs of the examples in order."""
        if self.labels or self.task_type is not TaskType.CLASSIFICATION:
            return list(self.labels)
        return list(dict.fromkeys(e.desired_output for e in self.examples))

    @property
    def prompt_template(self) -> PromptTemplate:
        """The task's instruction as every service applies it: description, labels and output format."""
        return PromptTemplate(
            instruction=self.task_description or self.problem_statement,
            labels=self.label_set,
            output_format=self.output_format,
            input_name=self.input_name,
        )

    @property
    def redaction(self) -> Redaction:
        if self.policy.redaction is not None:
            return self.policy.redaction
        return Redaction.REPLACE if self.sensitivity.pii else Redaction.NONE

    @property
    def total_examples(self) -> int:
        return sum(source.volume_estimate for source in self.data_sources)
