"""Hyperparameter studies of the training service (/studies): the answers' models.

A study searches a preset's ranges with Optuna (TPE, median pruning on validation loss); its trials are training
jobs. The calls are on `TrainingClient` (create_study, list_studies, get_study, cancel_study, wait_study).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from tuneline.sdk._base import Model

FINAL_STUDY_STATUSES = frozenset({"succeeded", "failed", "cancelled"})


class CurvePoint(Model):
    step: int
    val_loss: float


class Trial(Model):
    number: int
    state: str
    """running, complete, pruned, failed, or skipped (never started: over the cost cap, or refused; see note)."""
    job_id: UUID | None = None
    job_status: str | None = None
    stop_reason: str | None = None
    params: dict[str, Any] = {}
    value: float | None = None
    """The trial's best validation loss (complete trials)."""
    curve: list[CurvePoint] = []
    estimated_cost_usd: float | None = None
    cost_usd: float | None = None
    note: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Study(Model):
    id: UUID
    usecase_id: UUID
    dataset_version_id: UUID
    team: str | None = None
    created_by: str = ""
    status: str
    """running, succeeded (its best trial went to evaluation), failed or cancelled."""
    stop_reason: str | None = None
    preset: str = ""
    n_trials: int = 0
    trials_started: int = 0
    max_cost_usd: float | None = None
    parallelism: int = 1
    priority: int = 0
    seed: int = 0
    best_job_id: UUID | None = None
    best_trial_number: int | None = None
    best_value: float | None = None
    created_at: datetime
    finished_at: datetime | None = None
    # the full answer (get/create/cancel); a listing leaves these empty
    search_space: dict[str, Any] = {}
    hyperparameters: dict[str, Any] = {}
    pruning: dict[str, Any] = {}
    cost_usd: float | None = None
    trials: list[Trial] = []
    best_trial: Trial | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STUDY_STATUSES
