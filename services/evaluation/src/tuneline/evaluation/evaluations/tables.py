"""Tables the evaluation service owns (schema "evaluation"); names are prefixed, being unique across services."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class EvaluationUseCase(SQLModel, table=True):
    """What evaluation needs from an approved use case (from usecase.approved): KPI targets and review policy."""

    __tablename__ = "evaluation_usecases"

    usecase_id: UUID = Field(primary_key=True)
    kpi_targets: dict[str, float] = Field(default_factory=dict, sa_type=JSONB)
    labels: list[str] = Field(default_factory=list, sa_type=JSONB)
    human_review_required: bool = False
    # The use case's team and data sensitivity (usecase.approved): who may read its evaluations and their records.
    team: str | None = None
    sensitivity: dict[str, bool] = Field(default_factory=dict, sa_type=JSONB)
    updated_at: datetime = Field(default_factory=utcnow)


class EvaluationLossPoint(SQLModel, table=True):
    """Training loss by step (from job.progress), drawn as the loss curve in the report."""

    __tablename__ = "evaluation_loss_points"
    __table_args__ = (UniqueConstraint("job_id", "step", name="evaluation_loss_points_job_step"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: UUID = Field(index=True)
    step: int
    train_loss: float | None = None
    val_loss: float | None = None


class EvaluationRun(SQLModel, table=True):
    """One base-vs-tuned evaluation of a finished training job: a queue row claimed by a runner, then results."""

    __tablename__ = "evaluation_runs"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    usecase_id: UUID = Field(index=True)
    # The use case's team (job.completed, else usecase.approved): tuneline.evaluation.evaluations.access.
    team: str | None = Field(default=None, index=True)
    job_id: UUID = Field(unique=True)  # one evaluation per job, whatever the number of job.completed deliveries
    dataset_version_id: UUID
    task_type: str
    base_model: str
    adapter_uri: str
    test_split_uri: str | None = None
    method: str = "lora"
    labels: list[str] = Field(default_factory=list, sa_type=JSONB)
    # The PromptTemplate the adapter was trained with (job.completed); None: the runner's neutral wording.
    prompt_template: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    hyperparameters: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    status: str = "queued"  # queued | running | completed | failed
    attempts: int = 0
    worker: str | None = None
    heartbeat_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    passed: bool | None = None
    reasons: list[str] = Field(default_factory=list, sa_type=JSONB)
    metrics_base: dict[str, float] = Field(default_factory=dict, sa_type=JSONB)
    metrics_tuned: dict[str, float] = Field(default_factory=dict, sa_type=JSONB)
    forgetting: dict[str, float] = Field(default_factory=dict, sa_type=JSONB)
    quality_score: float | None = None
    review_required: bool = False
    review_reasons: list[str] = Field(default_factory=list, sa_type=JSONB)
    report_key: str | None = None
    report_html_key: str | None = None
    error: str | None = Field(default=None, sa_type=Text)
    # The trace context the evaluation was queued under: the runner continues it.
    trace_context: str | None = None
    # Its dataset version was erased: review items, ratings, outputs and reports are gone; metrics stay.
    erased_at: datetime | None = None


class EvaluationReviewItem(SQLModel, table=True):
    """One blind side-by-side pair shown to reviewers; ``tuned_side`` is the recorded draw, never shown."""

    __tablename__ = "evaluation_review_items"
    __table_args__ = (UniqueConstraint("evaluation_id", "item_id", name="evaluation_review_items_item"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    evaluation_id: UUID = Field(index=True)
    item_id: str
    record_id: str
    prompt: str = Field(sa_type=Text)
    reference: str = Field(sa_type=Text)
    output_a: str = Field(sa_type=Text)
    output_b: str = Field(sa_type=Text)
    tuned_side: str
    created_at: datetime = Field(default_factory=utcnow)


class EvaluationRating(SQLModel, table=True):
    """One reviewer's rating of one output; rating the same output again replaces the earlier rating."""

    __tablename__ = "evaluation_ratings"
    __table_args__ = (UniqueConstraint("evaluation_id", "item_id", "reviewer", "side", name="evaluation_ratings_once"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    evaluation_id: UUID = Field(index=True)
    item_id: str
    reviewer: str
    side: str
    relevance: int
    correctness: int
    style_match: int
    helpfulness: int
    safe: bool
    comment: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
