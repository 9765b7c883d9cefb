"""Request and response models of the studies API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from tuneline.training.estimate.presets import Preset
from tuneline.training.studies.search import SearchRange


class PruningOptions(BaseModel):
    """Median pruning on the validation loss the worker reports at each evaluation (eval_interval)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Stop trials whose validation loss lags the median.")
    startup_trials: int = Field(
        default=2, ge=0, le=100, description="Completed trials before any trial may be pruned (the median's base)."
    )
    warmup_steps: int = Field(
        default=0, ge=0, le=100_000, description="Optimizer steps of a trial before it may be pruned."
    )


class CreateStudyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset_version_id: UUID = Field(description="A dataset version announced ready, with a validation split.")
    validation_dataset_version_id: UUID | None = Field(
        default=None, description="Validate on this version instead (as for a job): same use case and record format."
    )
    preset: Preset = Field(default=Preset.BALANCED, description="Starting hyperparameters of every trial.")
    hyperparameters: dict[str, Any] = Field(
        default_factory=dict, description="Fixed overrides on top of the preset, the same in every trial."
    )
    search_space: dict[str, SearchRange] = Field(
        description="What to search, by hyperparameter: learning_rate, lora_rank, lora_alpha, epochs, "
        'general_replay; each a range ({"low": 1e-4, "high": 1e-3}) or choices ({"choices": [8, 16, 32]}), '
        "within the preset ranges every job is held to."
    )
    base_model: str | None = Field(default=None, description="Default: the use case's.")
    method: Literal["lora", "qlora"] | None = Field(default=None, description="Default: the use case's.")
    n_trials: int = Field(default=10, ge=1, le=200, description="Trials to run at most.")
    max_cost_usd: float | None = Field(
        default=None,
        gt=0,
        le=1_000_000,
        description="Cost cap: no trial starts once the estimates of the unfinished trials plus the measured cost of "
        "the finished ones, plus its own estimate, would pass it.",
    )
    parallelism: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Trials queued at once (the queue's own limit on running jobs still applies).",
    )
    priority: int = Field(default=0, ge=0, le=100, description="Queue priority of every trial job.")
    seed: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="Seed of the TPE sampler (default: chosen and shown)."
    )
    pruning: PruningOptions = Field(default_factory=PruningOptions)


class CurvePoint(BaseModel):
    step: int
    val_loss: float


class TrialResponse(BaseModel):
    number: int = Field(description="The trial's number in the study, from 0.")
    state: str = Field(
        description="running, complete, pruned or failed (as recorded in the study), or skipped: never started "
        "(over the cost cap, or refused; see note)."
    )
    job_id: UUID | None = Field(description="The trial's training job (None when it never started).")
    job_status: str | None
    stop_reason: str | None = Field(description="Why the platform stopped the job: pruned, study cancelled.")
    params: dict[str, Any] = Field(description="The sampled values of the searched hyperparameters.")
    value: float | None = Field(description="Its best validation loss, for a complete trial.")
    curve: list[CurvePoint] = Field(description="Validation loss at each evaluation, as reported to the pruner.")
    estimated_cost_usd: float | None
    cost_usd: float | None = Field(description="Measured: machine time of the finished job at the profile's price.")
    note: str | None
    started_at: datetime | None
    finished_at: datetime | None


class StudySummary(BaseModel):
    id: UUID
    usecase_id: UUID
    dataset_version_id: UUID
    team: str | None
    created_by: str
    status: str = Field(description="running, succeeded (a best trial was handed to evaluation), failed, cancelled.")
    stop_reason: str | None = Field(description="Why it stopped asking for trials, or ended.")
    preset: str
    n_trials: int
    trials_started: int = Field(description="Trials that got a training job.")
    max_cost_usd: float | None
    parallelism: int
    priority: int
    seed: int
    best_job_id: UUID | None
    best_trial_number: int | None
    best_value: float | None = Field(description="The best trial's validation loss.")
    created_at: datetime
    finished_at: datetime | None


class StudyResponse(StudySummary):
    validation_dataset_version_id: UUID | None
    base_model: str | None
    method: str | None
    hyperparameters: dict[str, Any]
    search_space: dict[str, SearchRange]
    pruning: PruningOptions
    objective: str = Field(default="val_loss (minimised)", description="What the study optimises.")
    cost_usd: float = Field(
        description="What the cost cap counts now: the estimates of unfinished trials plus the measured cost of "
        "finished ones."
    )
    trials: list[TrialResponse]
    best_trial: TrialResponse | None
