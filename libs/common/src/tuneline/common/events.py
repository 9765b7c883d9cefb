"""The event catalogue: every Kafka topic Tuneline uses and the pydantic model of its payload.

This module is the only place a topic name is spelled. Each event carries the same envelope (`Event`): an
``event_id`` that consumers use as the idempotency key, the event ``type`` (equal to its topic name), when it
happened, which service produced it, the schema version and the ids of the things it concerns. The partition key
of every event is the id of the thing it is about (``Topic.key_of``), so one use case's events stay in order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from tuneline.common.records import PromptTemplate

SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Envelope shared by every event. Subclasses add the payload fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: UUID = Field(default_factory=uuid4, description="Unique id of this event; the idempotency key.")
    type: str = Field(description="Event type; equal to the topic name it travels on.")
    occurred_at: datetime = Field(default_factory=utcnow, description="When the fact happened (UTC).")
    producer: str = Field(description="Service that produced the event, e.g. 'intake'.")
    schema_version: int = Field(default=SCHEMA_VERSION, description="Version of this event's schema.")
    usecase_id: UUID | None = Field(default=None, description="The use case this event concerns, when any.")
    traceparent: str | None = Field(
        default=None,
        max_length=55,
        description="W3C trace context of the step that caused this event (filled in when it is staged), so a "
        "consumer can continue that trace later or link its own to it; it also travels as the Kafka header.",
    )

    #: Name of the field whose value is the partition key.
    key_field: ClassVar[str] = "usecase_id"


E = TypeVar("E", bound=Event)


class Topic(Generic[E]):
    """A topic name paired with its payload model, so neither is spelled twice."""

    def __init__(self, name: str, model: type[E], *, ingress: bool = False, description: str = "") -> None:
        self.name = name
        self.model = model
        self.ingress = ingress
        self.description = description or (model.__doc__ or "").strip().splitlines()[0]

    def key_of(self, event: E) -> bytes | None:
        value = getattr(event, self.model.key_field, None)
        return str(value).encode() if value is not None else None

    def __repr__(self) -> str:
        return f"Topic({self.name!r}, {self.model.__name__})"


# ---------------------------------------------------------------------------------------------------------------
# Shared value objects
# ---------------------------------------------------------------------------------------------------------------

TaskType = Literal["classification", "extraction", "summarisation", "generation", "chat"]
FineTuningMethod = Literal["lora", "qlora", "full"]


class DataSensitivity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pii: bool = Field(default=False, description="The data may contain personal data.")
    regulatory: bool = Field(default=False, description="The data falls under a regulation (GDPR, HIPAA, ...).")
    proprietary: bool = Field(default=False, description="The data is confidential to the organisation.")


class UseCasePolicy(BaseModel):
    """What the downstream services should do automatically for a use case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    auto_train: bool = Field(default=True, description="Start training when the dataset becomes ready.")
    training_preset: str = Field(default="balanced", description="Training preset name for automatic jobs.")
    min_quality_score: float = Field(default=60.0, ge=0, le=100, description="Dataset quality score needed.")
    min_examples: int = Field(default=20, ge=1, description="Fewest records a dataset version may have.")
    max_duplicate_ratio: float = Field(default=0.2, ge=0, le=1, description="Largest share of duplicate records.")
    max_pii_ratio: float | None = Field(
        default=None, ge=0, le=1, description="Largest share of records with PII left after redaction (None: no limit)."
    )
    redaction: Literal["none", "replace", "mask", "hash"] = Field(
        default="none", description="PII redaction applied to uploads before they can become ready."
    )
    human_review_required: bool = Field(default=False, description="Promotion needs a human review.")
    auto_rollback: bool = Field(default=True, description="Registry rolls a canary back on a canary alert.")
    log_prompts: bool = Field(default=False, description="Inference logs may carry prompt text (for drift).")


# ---------------------------------------------------------------------------------------------------------------
# intake
# ---------------------------------------------------------------------------------------------------------------


class UseCaseSubmitted(Event):
    """A use case was submitted for review."""

    type: Literal["usecase.submitted"] = "usecase.submitted"
    usecase_id: UUID
    title: str
    industry: str
    business_unit: str | None = None
    task_type: TaskType
    submitted_by: str = Field(description="Subject of the user who submitted it.")
    team: str | None = Field(
        default=None,
        description="The team the use case belongs to (its creator's); everything made for it inherits the team. "
        "None only on events from before use cases had teams.",
    )


class UseCaseApproved(Event):
    """A use case was approved: carries what the data and training services need to know."""

    type: Literal["usecase.approved"] = "usecase.approved"
    usecase_id: UUID
    title: str
    industry: str
    task_type: TaskType
    model_type: str = Field(default="text", description="text, vision, multi-modal or tabular.")
    base_model: str = Field(description="Base model reference, e.g. 'smollm2-135m-instruct' or a path/URI.")
    method: FineTuningMethod
    evaluation_metrics: list[str] = Field(default_factory=list)
    kpi_targets: dict[str, float] = Field(default_factory=dict, description="Metric name → target value.")
    sensitivity: DataSensitivity = Field(default_factory=DataSensitivity)
    policy: UseCasePolicy = Field(default_factory=UseCasePolicy)
    labels: list[str] = Field(default_factory=list, description="Label set for classification use cases.")
    prompt_template: PromptTemplate | None = Field(
        default=None,
        description=(
            "The task's instruction from the intake form (task description, labels, output format): the words "
            "every input is put in for training, evaluation and serving."
        ),
    )
    approved_by: str
    team: str | None = Field(
        default=None,
        description="The team the use case belongs to (its creator's); everything made for it inherits the team. "
        "None only on events from before use cases had teams.",
    )
    submitted_by: str | None = Field(
        default=None, description="Subject of the use case's creator: the owner of a use case that has no team."
    )


class UseCaseRejected(Event):
    """A use case was rejected by a reviewer."""

    type: Literal["usecase.rejected"] = "usecase.rejected"
    usecase_id: UUID
    reason: str
    rejected_by: str


class UseCaseRetired(Event):
    """A use case was retired: the other services close it (no new datasets or jobs, queued jobs cancelled, its
    models undeployed and the keys bound to it revoked)."""

    type: Literal["usecase.retired"] = "usecase.retired"
    usecase_id: UUID
    reason: str
    retired_by: str
    team: str | None = Field(default=None, description="The use case's team.")


class UseCaseErased(Event):
    """A use case was erased (the right to deletion): intake retired it if it was live, removed what it stored about it
    and kept a tombstone; the data service erases every dataset of it (each publishes dataset.erased, so the other
    services erase what they derived) and takes no new data for it."""

    type: Literal["usecase.erased"] = "usecase.erased"
    usecase_id: UUID
    reason: str = Field(description="Why, in the requester's words (kept with the tombstone).")
    erased_by: str = Field(description="Subject of the person (or service) who erased it.")
    team: str | None = Field(default=None, description="The use case's team.")


class UseCaseIntakeRequested(Event):
    """Ingress: an outside system (e.g. a ticketing system) asks to create a use case from an intake form."""

    type: Literal["usecase.intake-requested"] = "usecase.intake-requested"
    source_system: str = Field(description="Name of the publishing system, e.g. 'servicenow'.")
    external_ref: str = Field(description="The publishing system's id for the request (dedup key).")
    requested_by: str = Field(description="Who asked, in the publishing system.")
    form: dict[str, Any] = Field(description="The intake form or JSON intake template, validated by intake.")
    team: str | None = Field(default=None, description="The team the requested use case belongs to.")
    key_field: ClassVar[str] = "external_ref"


# ---------------------------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------------------------


class TokenStats(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    total: int = Field(ge=0)
    mean: float = Field(ge=0)
    p95: float = Field(ge=0)
    max: int = Field(ge=0)
    tokenizer: str = Field(description="Tokenizer the counts were made with.")


class DatasetReady(Event):
    """A dataset version passed validation and is split, ready for training."""

    type: Literal["dataset.ready"] = "dataset.ready"
    usecase_id: UUID
    dataset_id: UUID
    version_id: UUID
    version_number: int
    content_hash: str
    record_format: Literal["instruction", "conversational", "classification", "text"]
    split_uris: dict[str, str] = Field(description="Split name (train/validation/test) → object URI (JSONL).")
    record_counts: dict[str, int] = Field(description="Split name → number of records.")
    token_stats: TokenStats
    fields: list[str] = Field(description="Field names of the canonical records.")
    labels: list[str] = Field(default_factory=list, description="Label set, for classification.")
    quality_score: float = Field(ge=0, le=100)
    prompt_template: PromptTemplate | None = Field(
        default=None,
        description="The use case's prompt template, stored with this dataset version.",
    )


class DatasetRejected(Event):
    """A dataset version failed the use case's data policy."""

    type: Literal["dataset.rejected"] = "dataset.rejected"
    usecase_id: UUID
    dataset_id: UUID
    version_id: UUID
    reasons: list[str]
    quality_score: float | None = None


class DatasetErased(Event):
    """A dataset, or some of its versions, was erased (the right to deletion): every service erases what it holds
    derived from those versions and acknowledges with erasure.applied."""

    type: Literal["dataset.erased"] = "dataset.erased"
    usecase_id: UUID
    erasure_id: UUID = Field(description="The erasure (the data service's tombstone); acknowledgements name it.")
    dataset_id: UUID
    version_ids: list[UUID] = Field(description="Every erased dataset version, derived ones included.")
    whole_dataset: bool = Field(description="The dataset itself was erased, not only some of its versions.")
    team: str | None = Field(default=None, description="The dataset's team.")
    requested_by: str = Field(description="Subject of the person (or service) who asked for the erasure.")
    reason: str = Field(description="Why, in the requester's words (kept with the tombstone).")


class ErasureApplied(Event):
    """A service erased its part of an erasure (idempotent: a redelivered dataset.erased is acknowledged once)."""

    type: Literal["erasure.applied"] = "erasure.applied"
    usecase_id: UUID
    erasure_id: UUID
    dataset_id: UUID
    version_ids: list[UUID] = Field(description="The erased dataset versions (as in dataset.erased).")
    service: str = Field(description="The service that applied it: training, evaluation, registry, monitoring ...")
    counts: dict[str, int] = Field(default_factory=dict, description="What was erased, by kind (rows, objects ...).")
    model_version_ids: list[UUID] = Field(
        default_factory=list,
        description="Registry only: the model versions archived because they were trained on erased data "
        "(monitoring erases their logged requests).",
    )


# ---------------------------------------------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------------------------------------------


class JobQueued(Event):
    """A training job was queued."""

    type: Literal["job.queued"] = "job.queued"
    usecase_id: UUID
    job_id: UUID
    dataset_version_id: UUID
    base_model: str
    method: FineTuningMethod
    preset: str | None = None
    estimated_seconds: float | None = None
    estimated_cost_usd: float | None = None
    key_field: ClassVar[str] = "job_id"


class JobStarted(Event):
    """A worker claimed a training job and started it."""

    type: Literal["job.started"] = "job.started"
    usecase_id: UUID
    job_id: UUID
    worker: str
    resumed_from_step: int | None = None
    key_field: ClassVar[str] = "job_id"


class JobProgress(Event):
    """Periodic training progress (at a bounded rate)."""

    type: Literal["job.progress"] = "job.progress"
    usecase_id: UUID
    job_id: UUID
    step: int
    total_steps: int
    epoch: float
    train_loss: float | None = None
    val_loss: float | None = None
    learning_rate: float | None = None
    tokens_per_second: float | None = None
    eta_seconds: float | None = Field(
        default=None,
        description="Estimated seconds to the end of the run, over every phase still ahead (replay answers, steps, "
        "saving), not only the remaining steps.",
    )
    phase: str | None = Field(
        default=None,
        description="What the job is doing: preparing_data, loading_model, generating_replay, training, evaluating "
        "or saving (None from producers before phases were reported).",
    )
    phase_done: int | None = Field(
        default=None, description="Progress within the phase where it is counted: replay answers or steps done."
    )
    phase_total: int | None = Field(default=None, description="What phase_done counts up to.")
    key_field: ClassVar[str] = "job_id"


class JobCompleted(Event):
    """A training job finished and its adapter is stored."""

    type: Literal["job.completed"] = "job.completed"
    usecase_id: UUID
    job_id: UUID
    dataset_id: UUID
    dataset_version_id: UUID
    task_type: TaskType
    base_model: str
    method: FineTuningMethod = Field(description="The method that actually ran (qlora falls back to lora on CPU).")
    adapter_uri: str
    test_split_uri: str | None = None
    validation_split_uri: str | None = None
    labels: list[str] = Field(default_factory=list)
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict)
    prompt_template: PromptTemplate | None = Field(
        default=None,
        description="The prompt template the adapter was trained with (labels included).",
    )
    trained_tokens: int = 0
    duration_seconds: float = 0.0
    hardware_profile: str | None = Field(
        default=None, description="The hardware profile (tuneline.common.costing) the job trained on."
    )
    parameters: int | None = Field(default=None, description="Parameter count of the base model, when known.")
    train_seconds: float = Field(
        default=0.0, description="Seconds spent training (the measured throughput is trained_tokens / train_seconds)."
    )
    team: str | None = Field(
        default=None, description="The team of the job's use case; the evaluation of the job inherits it."
    )
    study_id: UUID | None = Field(
        default=None,
        description="Set when the job is a trial of a hyperparameter study: evaluation does not queue it here; the "
        "study's best trial reaches evaluation in study.completed (None: an ordinary job, evaluated).",
    )
    key_field: ClassVar[str] = "job_id"


class JobFailed(Event):
    """A training job failed."""

    type: Literal["job.failed"] = "job.failed"
    usecase_id: UUID
    job_id: UUID
    reason: str
    key_field: ClassVar[str] = "job_id"


class JobCancelled(Event):
    """A training job was cancelled."""

    type: Literal["job.cancelled"] = "job.cancelled"
    usecase_id: UUID
    job_id: UUID
    cancelled_by: str
    reason: str | None = Field(
        default=None,
        description="Why the platform stopped it, when no person asked: 'pruned' (its study's pruner found its "
        "validation loss worse than the median of earlier trials), 'study cancelled' (None: a person's request).",
    )
    key_field: ClassVar[str] = "job_id"


class StudyCompleted(Event):
    """A hyperparameter study ended with a best trial, which evaluation evaluates like any finished job."""

    type: Literal["study.completed"] = "study.completed"
    usecase_id: UUID
    study_id: UUID
    best_job_id: UUID = Field(description="The training job of the trial with the lowest validation loss.")
    best_value: float = Field(description="That trial's best validation loss (the study's objective, minimised).")
    trials: dict[str, int] = Field(
        default_factory=dict, description="How many trials ended in each state: complete, pruned, failed, skipped."
    )
    best_trial: JobCompleted = Field(
        description="The best trial's job.completed as published when it finished (study_id set): evaluation queues "
        "it as it queues any finished job."
    )
    team: str | None = Field(default=None, description="The team of the study's use case.")
    key_field: ClassVar[str] = "study_id"


# ---------------------------------------------------------------------------------------------------------------
# evaluation
# ---------------------------------------------------------------------------------------------------------------


class EvaluationCompleted(Event):
    """Base and fine-tuned models were compared; carries the release decision and its reasons."""

    type: Literal["evaluation.completed"] = "evaluation.completed"
    usecase_id: UUID
    evaluation_id: UUID
    job_id: UUID
    dataset_version_id: UUID
    task_type: TaskType
    base_model: str
    adapter_uri: str
    method: FineTuningMethod = "lora"
    passed: bool = Field(description="Release decision: may this version be promoted?")
    reasons: list[str] = Field(description="Why the decision is what it is, in words.")
    metrics_base: dict[str, float] = Field(default_factory=dict)
    metrics_tuned: dict[str, float] = Field(default_factory=dict)
    forgetting: dict[str, float] = Field(default_factory=dict, description="General-capability figures.")
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    review_required: bool = False
    report_uri: str | None = None
    prompt_template: PromptTemplate | None = Field(
        default=None,
        description="The prompt template the evaluation put every held-out input in; stored with the model version.",
    )
    team: str | None = Field(
        default=None,
        description="The team of the evaluation's use case; the registered model and its versions inherit it. "
        "None only for an evaluation made before evaluations carried a team.",
    )
    key_field: ClassVar[str] = "usecase_id"


# ---------------------------------------------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------------------------------------------


class ModelRegistered(Event):
    """A model version was registered."""

    type: Literal["model.registered"] = "model.registered"
    usecase_id: UUID
    model_id: UUID
    version_id: UUID
    name: str
    version: int
    stage: str
    job_id: UUID | None = None
    evaluation_id: UUID | None = None
    team: str | None = Field(
        default=None,
        description="The team of the model's use case: who may see and act on it. None only for a model "
        "registered before models carried a team.",
    )


class ModelPromoted(Event):
    """A model version moved to another lifecycle stage."""

    type: Literal["model.promoted"] = "model.promoted"
    usecase_id: UUID
    model_id: UUID
    version_id: UUID
    name: str
    version: int
    from_stage: str
    to_stage: str
    promoted_by: str
    team: str | None = Field(
        default=None,
        description="The team of the model's use case: who may see and act on it. None only for a model "
        "registered before models carried a team.",
    )


class DeploymentUpdated(Event):
    """A deployment's versions or traffic weights changed."""

    type: Literal["deployment.updated"] = "deployment.updated"
    usecase_id: UUID
    model_id: UUID
    deployment_id: UUID
    name: str
    stable_version_id: UUID | None = None
    canary_version_id: UUID | None = None
    canary_weight: float = Field(ge=0, le=1, description="Share of traffic sent to the canary version.")
    status: str = Field(description="deploying, healthy, degraded, failed or stopped.")
    endpoint: str | None = None
    detail: str | None = None
    replicas: int | None = Field(default=None, ge=0, description="Model replicas serving the deployment.")
    stable_dataset_version_id: UUID | None = Field(
        default=None, description="Dataset version the stable version was trained on (drift reference)."
    )
    team: str | None = Field(
        default=None,
        description="The team of the deployed model's use case: who may see and act on it. None only for a model "
        "registered before models carried a team.",
    )


class ModelRolledBack(Event):
    """Traffic was moved back from a version to a previous one."""

    type: Literal["model.rolled_back"] = "model.rolled_back"
    usecase_id: UUID
    model_id: UUID
    name: str
    from_version_id: UUID | None
    to_version_id: UUID | None
    reason: str
    team: str | None = Field(
        default=None,
        description="The team of the model's use case: who may see and act on it. None only for a model "
        "registered before models carried a team.",
    )


class InferenceLogged(Event):
    """One inference request served (never the prompt, unless the use case allows it)."""

    type: Literal["inference.logged"] = "inference.logged"
    request_id: str
    model_name: str
    model_id: UUID | None = None
    version_id: UUID | None = None
    arm: Literal["stable", "canary"] = "stable"
    latency_ms: float = Field(ge=0)
    tokens_in: int = Field(ge=0)
    tokens_out: int = Field(ge=0)
    status: Literal["ok", "error", "timeout"] = "ok"
    caller: str | None = Field(default=None, description="Key prefix or subject of the caller.")
    prompt_chars: int = Field(default=0, ge=0)
    prompt: str | None = Field(default=None, description="Prompt text, only when the use case allows logging it.")
    output: str | None = Field(default=None, description="Output text, only when the use case allows logging it.")
    key_field: ClassVar[str] = "model_name"


# ---------------------------------------------------------------------------------------------------------------
# monitoring
# ---------------------------------------------------------------------------------------------------------------


class DriftDetected(Event):
    """Live inputs drifted away from the training data; carries the evidence."""

    type: Literal["drift.detected"] = "drift.detected"
    usecase_id: UUID
    model_name: str
    version_id: UUID | None = None
    detector: str = Field(description="e.g. prompt_length_ks, vocabulary_psi, embedding_mmd, label_psi.")
    statistic: float
    threshold: float
    p_value: float | None = None
    reference_size: int
    window_size: int
    evidence: dict[str, Any] = Field(default_factory=dict)
    team: str | None = Field(
        default=None, description="The model's team (deployment.updated's); None: monitoring does not know it."
    )


class AlertRaised(Event):
    """An alert rule fired (deduplicated); canary alerts may ask the registry to roll back."""

    type: Literal["alert.raised"] = "alert.raised"
    alert_id: UUID
    model_name: str
    version_id: UUID | None = None
    arm: str | None = None
    rule: str
    severity: Literal["info", "warning", "critical"]
    metric: str
    value: float
    threshold: float
    message: str
    action: Literal["none", "rollback_canary"] = "none"
    team: str | None = Field(
        default=None, description="The model's team (deployment.updated's); None: monitoring does not know it."
    )
    key_field: ClassVar[str] = "model_name"


class RetrainRequested(Event):
    """Monitoring (or a person) asks for a new training run of a use case."""

    type: Literal["retrain.requested"] = "retrain.requested"
    usecase_id: UUID
    model_name: str | None = None
    reason: str
    dataset_id: UUID | None = None
    dataset_version_id: UUID | None = Field(default=None, description="Newest dataset version, when known.")
    needs_new_data: bool = Field(default=False, description="The data owner is asked for fresh data first.")
    requested_by: str = "monitoring"


# ---------------------------------------------------------------------------------------------------------------
# infrastructure
# ---------------------------------------------------------------------------------------------------------------


class DeadLettered(Event):
    """A message a consumer could not process (invalid payload or repeated handler failure)."""

    type: Literal["deadletter"] = "deadletter"
    original_topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    consumer_group: str
    reason: str
    payload: str = Field(description="The original message body (decoded as UTF-8 with replacement).")
    dead_letter_id: UUID | None = Field(
        default=None, description="The dead letter's row in the consuming service's schema (to replay it)."
    )
    key_field: ClassVar[str] = "original_topic"


USECASE_SUBMITTED = Topic("usecase.submitted", UseCaseSubmitted)
USECASE_APPROVED = Topic("usecase.approved", UseCaseApproved)
USECASE_REJECTED = Topic("usecase.rejected", UseCaseRejected)
USECASE_INTAKE_REQUESTED = Topic("usecase.intake-requested", UseCaseIntakeRequested, ingress=True)
USECASE_RETIRED = Topic("usecase.retired", UseCaseRetired)
USECASE_ERASED = Topic("usecase.erased", UseCaseErased)
DATASET_READY = Topic("dataset.ready", DatasetReady)
DATASET_REJECTED = Topic("dataset.rejected", DatasetRejected)
DATASET_ERASED = Topic("dataset.erased", DatasetErased)
ERASURE_APPLIED = Topic("erasure.applied", ErasureApplied)
JOB_QUEUED = Topic("job.queued", JobQueued)
JOB_STARTED = Topic("job.started", JobStarted)
JOB_PROGRESS = Topic("job.progress", JobProgress)
JOB_COMPLETED = Topic("job.completed", JobCompleted)
JOB_FAILED = Topic("job.failed", JobFailed)
JOB_CANCELLED = Topic("job.cancelled", JobCancelled)
STUDY_COMPLETED = Topic("study.completed", StudyCompleted)
EVALUATION_COMPLETED = Topic("evaluation.completed", EvaluationCompleted)
MODEL_REGISTERED = Topic("model.registered", ModelRegistered)
MODEL_PROMOTED = Topic("model.promoted", ModelPromoted)
DEPLOYMENT_UPDATED = Topic("deployment.updated", DeploymentUpdated)
MODEL_ROLLED_BACK = Topic("model.rolled_back", ModelRolledBack)
INFERENCE_LOGGED = Topic("inference.logged", InferenceLogged, ingress=True)
DRIFT_DETECTED = Topic("drift.detected", DriftDetected)
ALERT_RAISED = Topic("alert.raised", AlertRaised)
RETRAIN_REQUESTED = Topic("retrain.requested", RetrainRequested, ingress=True)
DEAD_LETTER = Topic("deadletter", DeadLettered)

ALL_TOPICS: tuple[Topic[Any], ...] = (
    USECASE_SUBMITTED,
    USECASE_APPROVED,
    USECASE_REJECTED,
    USECASE_INTAKE_REQUESTED,
    USECASE_RETIRED,
    USECASE_ERASED,
    DATASET_READY,
    DATASET_REJECTED,
    DATASET_ERASED,
    ERASURE_APPLIED,
    JOB_QUEUED,
    JOB_STARTED,
    JOB_PROGRESS,
    JOB_COMPLETED,
    JOB_FAILED,
    JOB_CANCELLED,
    STUDY_COMPLETED,
    EVALUATION_COMPLETED,
    MODEL_REGISTERED,
    MODEL_PROMOTED,
    DEPLOYMENT_UPDATED,
    MODEL_ROLLED_BACK,
    INFERENCE_LOGGED,
    DRIFT_DETECTED,
    ALERT_RAISED,
    RETRAIN_REQUESTED,
    DEAD_LETTER,
)

TOPICS_BY_NAME: dict[str, Topic[Any]] = {t.name: t for t in ALL_TOPICS}

#: Lifecycle topics whose events concern a use case (intake builds its timeline from these).
USECASE_LIFECYCLE_TOPICS: tuple[Topic[Any], ...] = tuple(
    t for t in ALL_TOPICS if "usecase_id" in t.model.model_fields and t.model.model_fields["usecase_id"].is_required()
)
