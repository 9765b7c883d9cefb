"""The studies table (schema "training"). Optuna's own tables live in the schema `<schema>_optuna`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class TrainingStudy(SQLModel, table=True):
    """A hyperparameter study: what to search, its limits, and how it ended. Its trials are training jobs
    (``training_jobs.study_id``); their states, parameters and reported values are in Optuna's storage under the
    study's id as name."""

    __tablename__ = "training_studies"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    usecase_id: UUID = Field(index=True)
    dataset_id: UUID
    dataset_version_id: UUID
    validation_dataset_version_id: UUID | None = None
    team: str | None = Field(default=None, index=True)  # the use case's team, as for jobs
    created_by: str
    preset: str
    base_model: str | None = None  # None: the use case's, as for a job
    method: str | None = None
    hyperparameters: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)  # fixed, on top of the preset
    search_space: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)  # name -> SearchRange as JSON
    n_trials: int
    max_cost_usd: float | None = None
    parallelism: int = 1
    priority: int = 0
    seed: int
    pruning: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)  # PruningOptions as JSON
    status: str = "running"  # running | succeeded | failed | cancelled
    # Why it stopped asking for trials, or ended: "n_trials reached", "cost cap: ...", "cancelled by ...".
    stop_reason: str | None = None
    best_job_id: UUID | None = None
    best_trial_number: int | None = None
    best_value: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
