"""Request and response models of the jobs API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from tuneline.common.storage import PublicUri
from tuneline.training.estimate.presets import DEFAULT_PRESET, Preset


class CreateJobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset_version_id: UUID = Field(description="A dataset version announced ready by the data service.")
    preset: Preset = Field(default=DEFAULT_PRESET, description="Starting hyperparameters.")
    hyperparameters: dict[str, Any] = Field(
        default_factory=dict, description="Overrides on top of the preset (validated with their ranges)."
    )
    base_model: str | None = Field(default=None, description="Default: the use case's base model.")
    method: Literal["lora", "qlora", "full"] | None = Field(default=None, description="Default: the use case's.")
    priority: int = Field(default=0, ge=0, le=100, description="Higher runs first; equal priorities run in order.")
    validation_dataset_version_id: UUID | None = Field(
        default=None,
        description=(
            "Validate on every record of this dataset version (all its splits) instead of the training version's "
            "validation split, e.g. an OpenAI validation_file; same use case and record format. Each evaluation "
            "reads at most the recipe's first 200 of them (max_eval_samples), in split order train, validation, test."
        ),
    )


class EstimateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(default="smollm2-135m-instruct")
    method: Literal["lora", "qlora", "full"] = "lora"
    preset: Preset = DEFAULT_PRESET
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    dataset_version_id: UUID | None = Field(default=None, description="Take record count and token mean from it.")
    train_records: int | None = Field(
        default=None, ge=1, le=1_000_000_000, description="Training records (without a dataset)."
    )
    mean_tokens_per_record: float | None = Field(
        default=None, gt=0, le=1_000_000, description="Mean tokens per record (at most a million)."
    )
    hardware: list[str] | None = Field(default=None, description="Hardware profiles to price; default: all.")


class HardwareEstimate(BaseModel):
    hardware: str
    kind: str
    memory_required_gib: float
    memory_available_gib: float
    fit: Literal["ok", "tight", "refused"]
    message: str
    tokens_per_second: float
    seconds: float = Field(
        description="The whole run: general-replay generation when its cache is cold, the steps and saving."
    )
    cost_usd: float = Field(description="Machine time of the whole run at the profile's hourly price.")
    training_seconds: float = Field(description="Optimizer steps only.")
    training_cost_usd: float = Field(description="The steps alone: what intake's estimate of the use case prices.")
    replay_cache: Literal["off", "warm", "cold"] = Field(
        default="off",
        description="General replay: off (general_replay 0), warm (the base model's answers are cached here) or cold "
        "(the run generates them first).",
    )
    replay_answers: int = Field(default=0, description="General-replay answers the run will generate (cold cache).")
    replay_seconds_per_answer: float = Field(default=0.0, description="Modelled generation seconds per answer.")
    replay_seconds: float = Field(default=0.0, description="replay_answers × replay_seconds_per_answer.")
    save_seconds: float = Field(default=0.0, description="Saving and uploading the adapter.")
    breakdown: list[str] = Field(default_factory=list, description="What the seconds are made of, in words.")


class EstimateResponse(BaseModel):
    base_model: str
    method: str
    preset: str
    hyperparameters: dict[str, Any]
    train_records: int
    tokens_per_epoch: int
    total_steps: int
    options: list[HardwareEstimate]


class JobResponse(BaseModel):
    id: UUID
    usecase_id: UUID
    dataset_id: UUID
    dataset_version_id: UUID
    validation_dataset_version_id: UUID | None
    status: str
    requested_action: str | None
    source: str
    created_by: str
    team: str | None = Field(
        default=None, description="The use case's team: who may read and steer the job; None: before teams."
    )
    base_model: str
    method_requested: str
    method_ran: str | None
    preset: str | None
    hyperparameters: dict[str, Any]
    priority: int
    step: int
    total_steps: int
    epoch: float
    progress_percent: float
    phase: str = Field(
        description="queued, preparing_data, loading_model, generating_replay, training, evaluating, saving or done; "
        "a failed or cancelled job keeps the phase it stopped in."
    )
    phase_done: int | None = Field(description="Progress within the phase where counted: replay answers, steps.")
    phase_total: int | None = Field(description="What phase_done counts up to.")
    eta_seconds: float | None = Field(
        description="Seconds to the end of the run over every phase still ahead (None once the job stopped)."
    )
    train_loss: float | None
    val_loss: float | None
    last_checkpoint_step: int | None
    attempts: int
    worker: str | None
    worker_pool: str | None = Field(default=None, description="The worker pool whose worker ran it last.")
    estimate: dict[str, Any]
    adapter_uri: PublicUri | None
    metrics: dict[str, Any]
    trained_tokens: int
    duration_seconds: float
    failure_reason: str | None
    study_id: UUID | None = Field(default=None, description="The hyperparameter study this job is a trial of.")
    trial_number: int | None = Field(default=None, description="Its trial number in that study (from 0).")
    stop_reason: str | None = Field(
        default=None,
        description="Why the platform stopped it when no person asked: 'pruned' (its study's median pruner), "
        "'study cancelled'.",
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class MetricPoint(BaseModel):
    step: int
    epoch: float
    event: str
    train_loss: float | None
    val_loss: float | None
    learning_rate: float | None
    tokens_per_second: float | None
    eta_seconds: float | None
    recorded_at: datetime
