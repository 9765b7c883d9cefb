"""Tables the training service owns (schema "training"); names are prefixed, being unique across services."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class TrainingUseCase(SQLModel, table=True):
    """What training needs to know about an approved use case (from usecase.approved)."""

    __tablename__ = "training_usecases"

    usecase_id: UUID = Field(primary_key=True)
    title: str
    task_type: str
    base_model: str
    method: str
    labels: list[str] = Field(default_factory=list, sa_type=JSONB)
    policy: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    team: str | None = None  # the use case's team (usecase.approved); its jobs inherit it
    # usecase.retired: no new jobs; its queued and paused jobs were cancelled, running ones asked to stop
    retired_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow)


class TrainingDatasetVersion(SQLModel, table=True):
    """A dataset version that is ready for training (from dataset.ready)."""

    __tablename__ = "training_dataset_versions"

    version_id: UUID = Field(primary_key=True)
    usecase_id: UUID = Field(index=True)
    dataset_id: UUID
    version_number: int
    record_format: str
    split_uris: dict[str, str] = Field(default_factory=dict, sa_type=JSONB)
    record_counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONB)
    mean_tokens: float = 0.0
    labels: list[str] = Field(default_factory=list, sa_type=JSONB)
    prompt_template: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    received_at: datetime = Field(default_factory=utcnow)
    # The trace context dataset.ready carried: a job queued on this version links to it.
    trace_context: str | None = None


class TrainingJob(SQLModel, table=True):
    __tablename__ = "training_jobs"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    usecase_id: UUID = Field(index=True)
    dataset_id: UUID
    dataset_version_id: UUID
    task_type: str
    record_format: str
    base_model: str
    method_requested: str
    method_ran: str | None = None
    preset: str | None = None
    hyperparameters: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    resolved: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    split_uris: dict[str, str] = Field(default_factory=dict, sa_type=JSONB)
    # A separate dataset version to validate on (an OpenAI validation_file): its split URIs, all of them, in order
    # train, validation, test; empty = validate on split_uris["validation"].
    validation_dataset_version_id: UUID | None = None
    validation_uris: list[str] = Field(default_factory=list, sa_type=JSONB)
    labels: list[str] = Field(default_factory=list, sa_type=JSONB)
    # The use case's PromptTemplate as stored with the dataset version; None: the recipe's neutral wording.
    prompt_template: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    source: str = "api"  # api | dataset.ready | retrain.requested | study
    created_by: str
    # The use case's team: who may read and steer the job (tuneline.training.jobs.access); None: made before teams.
    team: str | None = Field(default=None, index=True)
    priority: int = 0
    status: str = "queued"
    requested_action: str | None = None  # cancel | pause, for a worker to carry out
    worker: str | None = None
    #: The worker pool of the worker that claimed it: the concurrency limit counts the active jobs of a pool.
    worker_pool: str | None = None
    heartbeat_at: datetime | None = None
    attempts: int = 0
    step: int = 0
    total_steps: int = 0
    epoch: float = 0.0
    # What the run is doing (jobs/progress.py JobPhase), progress within it where counted, and the time left.
    phase: str = "queued"
    phase_done: int | None = None
    phase_total: int | None = None
    eta_seconds: float | None = None
    train_loss: float | None = None
    val_loss: float | None = None
    last_checkpoint_key: str | None = None
    last_checkpoint_step: int | None = None
    adapter_uri: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    trained_tokens: int = 0
    duration_seconds: float = 0.0
    estimate: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    failure_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # The trace context the job was queued under: the worker runs the job as a continuation of it.
    trace_context: str | None = None
    # Its dataset version was erased: splits, adapter and checkpoints are gone; the row stays as the record.
    erased_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    # A trial of a hyperparameter study (tuneline.training.studies): the study and the trial's number in it.
    study_id: UUID | None = Field(default=None, index=True)
    trial_number: int | None = None
    # Why the platform stopped it when no person asked: "pruned" (its study's pruner), "study cancelled".
    stop_reason: str | None = None
    # A trial's job.completed as published: the study hands its best trial's to evaluation in study.completed.
    completed_event: dict[str, Any] | None = Field(default=None, sa_type=JSONB)


class TrainingJobMetric(SQLModel, table=True):
    """One progress report of a job: the loss curve, learning rate and throughput over steps."""

    __tablename__ = "training_job_metrics"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    job_id: UUID = Field(index=True)
    step: int
    epoch: float
    event: str  # step | eval | end
    train_loss: float | None = None
    val_loss: float | None = None
    learning_rate: float | None = None
    tokens_per_second: float | None = None
    eta_seconds: float | None = None
    recorded_at: datetime = Field(default_factory=utcnow)


class TrainingJobLog(SQLModel, table=True):
    """A line of a job's log (lifecycle, worker and recipe messages; never record contents)."""

    __tablename__ = "training_job_logs"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    job_id: UUID = Field(index=True)
    at: datetime = Field(default_factory=utcnow)
    level: str = "info"
    message: str


class TrainingHardwareProfile(SQLModel, table=True):
    """Measured throughput per hardware profile, folded in from finished jobs (EMA)."""

    __tablename__ = "training_hardware_profiles"

    name: str = Field(primary_key=True)
    effective_tflops: float
    measurements: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
