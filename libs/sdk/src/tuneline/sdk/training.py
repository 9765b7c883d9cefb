"""Client of the training service: queue, inspect, control and follow training jobs (/jobs) and run
hyperparameter studies whose trials are jobs (/studies)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from tuneline.sdk._base import Model, Resource, parse_list
from tuneline.sdk.sse import parse_sse
from tuneline.sdk.training_studies import Study

FINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
#: A job's phase (the training service's JobPhase) in words.
PHASE_WORDS = {
    "queued": "queued",
    "preparing_data": "preparing data",
    "loading_model": "loading the base model",
    "generating_replay": "generating general-replay answers",
    "training": "training",
    "evaluating": "final evaluation",
    "saving": "saving the adapter",
    "done": "done",
}


def describe_phase(phase: str, done: int | None, total: int | None, eta_seconds: float | None) -> str:
    """'generating general-replay answers 12/64, ~2 min left'."""
    words = PHASE_WORDS.get(phase, phase.replace("_", " "))
    if done is not None and total:
        words += f" {done}/{total}"
    if eta_seconds:
        words += f", ~{_duration(eta_seconds)} left"
    return words


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


class Job(Model):
    id: UUID
    usecase_id: UUID
    dataset_id: UUID
    dataset_version_id: UUID
    status: str
    source: str = ""
    created_by: str = ""
    base_model: str
    method_requested: str = ""
    method_ran: str | None = None
    preset: str | None = None
    hyperparameters: dict[str, Any] = {}
    step: int = 0
    total_steps: int = 0
    epoch: float = 0.0
    progress_percent: float = 0.0
    phase: str = ""
    """queued, preparing_data, loading_model, generating_replay, training, evaluating, saving or done ("" from a
    service before phases)."""
    phase_done: int | None = None
    phase_total: int | None = None
    eta_seconds: float | None = None
    """Seconds to the end of the run over every phase still ahead."""
    train_loss: float | None = None
    val_loss: float | None = None
    study_id: UUID | None = None
    """The hyperparameter study this job is a trial of."""
    trial_number: int | None = None
    stop_reason: str | None = None
    """Why the platform stopped it: pruned (its study's pruner), study cancelled."""
    worker: str | None = None
    estimate: dict[str, Any] = {}
    adapter_uri: str | None = None
    metrics: dict[str, Any] = {}
    trained_tokens: int = 0
    duration_seconds: float = 0.0
    failure_reason: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES

    def activity(self) -> str:
        """What the job is doing, in words: 'running step 5/40 loss 0.412, ~1 min left',
        'running generating general-replay answers 12/64, ~4 min left', 'queued, ~5 min left'."""
        if self.phase in ("", "training") or (self.finished and self.phase != "done"):
            loss = f"{self.train_loss:.3f}" if self.train_loss is not None else "-"
            line = f"{self.status} step {self.step}/{self.total_steps} loss {loss}"
            if self.phase and self.finished:
                line += f" (stopped while {PHASE_WORDS.get(self.phase, self.phase)})"
            elif self.eta_seconds:
                line += f", ~{_duration(self.eta_seconds)} left"
            return line
        if self.phase == "queued":  # queued, or claimed and starting
            return describe_phase(self.status, None, None, self.eta_seconds)
        return f"{self.status} " + describe_phase(self.phase, self.phase_done, self.phase_total, self.eta_seconds)


class MetricPoint(Model):
    step: int
    epoch: float = 0.0
    event: str = ""
    train_loss: float | None = None
    val_loss: float | None = None
    learning_rate: float | None = None
    tokens_per_second: float | None = None
    eta_seconds: float | None = None
    recorded_at: datetime


class JobUpdate(Model):
    """One item of a job's live stream: a metric point (kind 'progress'), a phase or progress within it with the
    time left (kind 'phase'), or a status change (kind 'status')."""

    kind: str
    point: MetricPoint | None = None
    status: str | None = None
    step: int | None = None
    phase: str | None = None
    done: int | None = None
    total: int | None = None
    eta_seconds: float | None = None


class TrainingClient(Resource):
    def create_job(
        self,
        dataset_version_id: UUID | str,
        *,
        preset: str = "balanced",
        hyperparameters: dict[str, Any] | None = None,
        base_model: str | None = None,
        method: str | None = None,
        priority: int = 0,
    ) -> Job:
        body = {
            "dataset_version_id": str(dataset_version_id),
            "preset": preset,
            "hyperparameters": hyperparameters or {},
            "base_model": base_model,
            "method": method,
            "priority": priority,
        }
        return self._post(Job, "/jobs", {k: v for k, v in body.items() if v is not None})

    def estimate(self, **request: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("POST", "/jobs/estimate", json=request)
        return answer

    def list_jobs(
        self,
        *,
        usecase_id: UUID | str | None = None,
        status: str | None = None,
        limit: int | None = 200,
        page_size: int = 200,
    ) -> list[Job]:
        params = {"usecase_id": str(usecase_id) if usecase_id else None, "status": status}
        return list(self._offset_pages(Job, "/jobs", params, page_size=page_size, limit=limit))

    def get_job(self, job_id: UUID | str) -> Job:
        return self._get(Job, f"/jobs/{job_id}")

    def metrics(self, job_id: UUID | str) -> list[MetricPoint]:
        return parse_list(MetricPoint, self.http.request("GET", f"/jobs/{job_id}/metrics"))

    def logs(self, job_id: UUID | str) -> str:
        return str(self.http.request("GET", f"/jobs/{job_id}/logs") or "")

    def cancel(self, job_id: UUID | str) -> Job:
        return self._post(Job, f"/jobs/{job_id}/cancel")

    def pause(self, job_id: UUID | str) -> Job:
        return self._post(Job, f"/jobs/{job_id}/pause")

    def resume(self, job_id: UUID | str) -> Job:
        return self._post(Job, f"/jobs/{job_id}/resume")

    def stream(self, job_id: UUID | str, *, poll_s: float = 1.0) -> Iterator[JobUpdate]:
        """Live progress (server-sent events) until the job reaches a final status."""
        lines = self.http.stream_lines(f"/jobs/{job_id}/stream", params={"poll_s": poll_s}, timeout_s=120)
        for sse in parse_sse(lines):
            data = json.loads(sse.data)
            if sse.event == "progress":
                yield JobUpdate(kind="progress", point=MetricPoint.model_validate(data))
            elif sse.event == "phase":
                yield JobUpdate(
                    kind="phase",
                    phase=data.get("phase"),
                    done=data.get("done"),
                    total=data.get("total"),
                    eta_seconds=data.get("eta_seconds"),
                )
            elif sse.event == "status":
                yield JobUpdate(
                    kind="status", status=data.get("status"), step=data.get("step"), phase=data.get("phase")
                )

    def wait(
        self,
        job_id: UUID | str,
        *,
        timeout_s: float = 1800.0,
        poll_s: float = 1.0,
        on_update: Callable[[Job], None] | None = None,
    ) -> Job:
        """Poll until the job is final; `on_update` sees every state (for a progress bar)."""
        deadline = time.monotonic() + timeout_s
        while True:
            job = self.get_job(job_id)
            if on_update is not None:
                on_update(job)
            if job.finished:
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.status} at step {job.step} after {timeout_s:.0f}s")
            time.sleep(poll_s)

    # ------------------------------------------------------------------------------------------------ studies

    def create_study(
        self,
        dataset_version_id: UUID | str,
        search_space: dict[str, dict[str, Any]],
        *,
        n_trials: int = 10,
        preset: str = "balanced",
        hyperparameters: dict[str, Any] | None = None,
        max_cost_usd: float | None = None,
        parallelism: int = 1,
        priority: int = 0,
        seed: int | None = None,
        pruning: dict[str, Any] | None = None,
        base_model: str | None = None,
        method: str | None = None,
        validation_dataset_version_id: UUID | str | None = None,
    ) -> Study:
        """Start a study: `search_space` maps hyperparameters (learning_rate, lora_rank, lora_alpha, epochs,
        general_replay) to a range ``{"low": 1e-5, "high": 1e-3}`` or choices ``{"choices": [8, 16, 32]}``."""
        body = {
            "dataset_version_id": str(dataset_version_id),
            "validation_dataset_version_id": str(validation_dataset_version_id)
            if validation_dataset_version_id
            else None,
            "search_space": search_space,
            "n_trials": n_trials,
            "preset": preset,
            "hyperparameters": hyperparameters or {},
            "max_cost_usd": max_cost_usd,
            "parallelism": parallelism,
            "priority": priority,
            "seed": seed,
            "pruning": pruning,
            "base_model": base_model,
            "method": method,
        }
        return self._post(Study, "/studies", {k: v for k, v in body.items() if v is not None})

    def list_studies(
        self,
        *,
        usecase_id: UUID | str | None = None,
        status: str | None = None,
        limit: int | None = 200,
        page_size: int = 200,
    ) -> list[Study]:
        params = {"usecase_id": str(usecase_id) if usecase_id else None, "status": status}
        return list(self._offset_pages(Study, "/studies", params, page_size=page_size, limit=limit))

    def get_study(self, study_id: UUID | str) -> Study:
        """The study with every trial: state, parameters, value and validation-loss curve."""
        return self._get(Study, f"/studies/{study_id}")

    def cancel_study(self, study_id: UUID | str) -> Study:
        return self._post(Study, f"/studies/{study_id}/cancel")

    def wait_study(
        self,
        study_id: UUID | str,
        *,
        timeout_s: float = 7200.0,
        poll_s: float = 5.0,
        on_update: Callable[[Study], None] | None = None,
    ) -> Study:
        """Poll until the study is final; `on_update` sees every state."""
        deadline = time.monotonic() + timeout_s
        while True:
            study = self.get_study(study_id)
            if on_update is not None:
                on_update(study)
            if study.finished:
                return study
            if time.monotonic() > deadline:
                raise TimeoutError(f"study {study_id} still {study.status} after {timeout_s:.0f}s")
            time.sleep(poll_s)
