"""What other services' events tell intake about a use case: its stage, dataset, job, models, deployment.

Events arrive at least once and, across topics, in any order. Each section of the progress record keeps the
(occurred_at, event_id) of the event that last wrote it and only a later event may overwrite it (last writer
wins by the time the fact happened, not by arrival), so folding the same events in any order, or twice, gives
the same record. Model versions are kept per version id under the same rule.

The lifecycle status only moves forward on these facts: any downstream work moves an approved use case to
in_progress; a healthy deployment with a stable version moves it to deployed (through in_progress when that
fact arrives first). A late event never moves a status back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from tuneline.common.events import (
    DatasetReady,
    DatasetRejected,
    DeploymentUpdated,
    DriftDetected,
    EvaluationCompleted,
    Event,
    JobCompleted,
    JobProgress,
    ModelPromoted,
    ModelRegistered,
    ModelRolledBack,
    RetrainRequested,
)
from tuneline.intake.usecases.lifecycle import Action, Status

Progress = dict[str, Any]

_STAGES: Mapping[str, str | Callable[[Any], str]] = {
    "dataset.ready": "dataset ready",
    "dataset.rejected": "dataset rejected",
    "job.queued": "training queued",
    "job.started": "training",
    "job.progress": "training",
    "job.completed": "trained",
    "job.failed": "training failed",
    "job.cancelled": "training cancelled",
    "study.completed": "hyperparameter study done",
    "evaluation.completed": lambda e: "evaluation passed" if e.passed else "evaluation failed",
    "model.registered": "model registered",
    "model.promoted": lambda e: f"model in {e.to_stage}",
    "deployment.updated": lambda e: f"deployment {e.status}",
    "model.rolled_back": "rolled back",
    "drift.detected": "drift detected",
    "retrain.requested": "retraining requested",
}


def stage_of(event: Event) -> str:
    label = _STAGES.get(event.type, event.type)
    return label(event) if callable(label) else label


def _stamp(event: Event) -> list[str]:
    return [event.occurred_at.isoformat(), str(event.event_id)]


def _newer(section: Mapping[str, Any] | None, event: Event) -> bool:
    if not section:
        return True
    at, event_id = section["_at"]
    return (event.occurred_at, str(event.event_id)) > (datetime.fromisoformat(at), event_id)


def _put(progress: Progress, key: str, event: Event, values: Mapping[str, Any]) -> None:
    if _newer(progress.get(key), event):
        progress[key] = {**values, "_at": _stamp(event)}


def _section(event: Event) -> tuple[str, dict[str, Any]] | None:
    """The progress section an event writes and its values, for events that have one."""
    if isinstance(event, DatasetReady):
        return "dataset", {
            "status": "ready",
            "dataset_id": str(event.dataset_id),
            "version_number": event.version_number,
            "quality_score": event.quality_score,
            "record_counts": event.record_counts,
        }
    if isinstance(event, DatasetRejected):
        return "dataset", {"status": "rejected", "dataset_id": str(event.dataset_id), "reasons": event.reasons}
    if event.type.startswith("job."):
        values: dict[str, Any] = {"status": event.type.removeprefix("job."), "job_id": str(event.job_id)}
        if isinstance(event, JobProgress):
            values.update(step=event.step, total_steps=event.total_steps, train_loss=event.train_loss)
        if isinstance(event, JobCompleted):
            values.update(metrics=event.metrics, method=event.method)
        return "job", values
    if isinstance(event, EvaluationCompleted):
        return "evaluation", {
            "evaluation_id": str(event.evaluation_id),
            "passed": event.passed,
            "metrics": event.metrics_tuned,
            "metrics_base": event.metrics_base,
        }
    if isinstance(event, DeploymentUpdated):
        return "deployment", {
            "deployment_id": str(event.deployment_id),
            "name": event.name,
            "status": event.status,
            "stable_version_id": str(event.stable_version_id) if event.stable_version_id else None,
            "canary_version_id": str(event.canary_version_id) if event.canary_version_id else None,
            "canary_weight": event.canary_weight,
            "endpoint": event.endpoint,
        }
    if isinstance(event, ModelRolledBack):
        return "rollback", {"name": event.name, "reason": event.reason}
    if isinstance(event, DriftDetected):
        return "drift", {"detector": event.detector, "statistic": event.statistic, "threshold": event.threshold}
    if isinstance(event, RetrainRequested):
        return "retrain", {"reason": event.reason, "requested_by": event.requested_by}
    return None


def _fold_model(progress: Progress, event: ModelRegistered | ModelPromoted) -> None:
    models: dict[str, Any] = dict(progress.get("models", {}))
    key = str(event.version_id)
    stage = event.stage if isinstance(event, ModelRegistered) else event.to_stage
    current = models.get(key)
    if _newer(current, event):
        models[key] = {"name": event.name, "version": event.version, "stage": stage, "_at": _stamp(event)}
    progress["models"] = models


def fold(progress: Mapping[str, Any], event: Event) -> Progress:
    """The progress record after `event` (a new dict; the input is left alone)."""
    result: Progress = dict(progress)
    _put(result, "stage", event, {"label": stage_of(event), "type": event.type})
    if isinstance(event, ModelRegistered | ModelPromoted):
        _fold_model(result, event)
    section = _section(event)
    if section is not None:
        _put(result, section[0], event, section[1])
    return result


def system_actions(status: Status, event: Event) -> tuple[Action, ...]:
    """Lifecycle actions a downstream fact implies for a use case in `status` (possibly none)."""
    deployed = isinstance(event, DeploymentUpdated) and event.status == "healthy" and event.stable_version_id
    if status is Status.APPROVED:
        return (Action.START_WORK, Action.DEPLOY) if deployed else (Action.START_WORK,)
    if status is Status.IN_PROGRESS and deployed:
        return (Action.DEPLOY,)
    return ()


def headline(progress: Mapping[str, Any]) -> dict[str, Any]:
    """The dashboard's view: stage, model versions (newest first), production version, metrics, deployment."""
    models = sorted(
        (
            {"version_id": k, **{f: v for f, v in m.items() if f != "_at"}}
            for k, m in progress.get("models", {}).items()
        ),
        key=lambda m: m["version"],
        reverse=True,
    )
    production = next((m for m in models if m["stage"] == "production"), None)
    evaluation = progress.get("evaluation") or {}
    deployment = progress.get("deployment") or {}
    return {
        "stage": (progress.get("stage") or {}).get("label"),
        "model_versions": models,
        "production_version": production["version"] if production else None,
        "headline_metrics": evaluation.get("metrics", {}),
        "evaluation_passed": evaluation.get("passed"),
        "deployment_status": deployment.get("status"),
    }
