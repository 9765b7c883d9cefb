"""Pure translations between OpenAI's fine-tuning objects and Tuneline's (no I/O, unit-tested)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tuneline.registry.openai_gateway.errors import OpenAIError
from tuneline.registry.openai_gateway.tables import OpenAIFileRow, OpenAIJobRow

# training status -> OpenAI status. Files are validated by the data service at upload, before a training job
# exists, so a job never reports "validating_files"; "paused" is OpenAI's own status for paused jobs.
STATUS = {
    "queued": "queued",
    "starting": "running",
    "running": "running",
    "paused": "paused",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
}
LEARNING_RATE_RANGE = (1e-5, 1e-3)  # the training service's accepted range (estimate/hyperparameters.py)
EPOCHS_RANGE = (1, 10)
BATCH_RANGE = (1, 16)


def ts(at: datetime | str | None) -> int | None:
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return int(at.timestamp())


def file_object(row: OpenAIFileRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "object": "file",
        "bytes": row.bytes,
        "created_at": ts(row.created_at),
        "filename": row.filename,
        "purpose": row.purpose,
        "status": row.status,
        "status_details": row.status_details,
    }


def _number_or_auto(name: str, value: Any, low: float, high: float, *, integer: bool) -> float | str:
    param = f"hyperparameters.{name}"
    if value == "auto":
        return "auto"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise OpenAIError(400, f"{name} must be a number or 'auto', got {value!r}", param=param, code="invalid_value")
    if integer and value != int(value):
        raise OpenAIError(400, f"{name} must be a whole number, got {value!r}", param=param, code="invalid_value")
    if not low <= value <= high:
        raise OpenAIError(
            400, f"{name} must be between {low:g} and {high:g}, got {value:g}", param=param, code="invalid_value"
        )
    return int(value) if integer else float(value)


def training_hyperparameters(given: dict[str, Any], base_learning_rate: float) -> dict[str, Any]:
    """OpenAI's n_epochs / batch_size / learning_rate_multiplier -> the training service's overrides.

    "auto" leaves the preset's value (the training service resolves it). The multiplier scales
    `base_learning_rate`; the product must land in the training service's range."""
    unknown = set(given) - {"n_epochs", "batch_size", "learning_rate_multiplier"}
    if unknown:
        name = sorted(unknown)[0]
        raise OpenAIError(
            400, f"unknown hyperparameter {name!r}", param=f"hyperparameters.{name}", code="invalid_value"
        )
    out: dict[str, Any] = {}
    epochs = _number_or_auto("n_epochs", given.get("n_epochs", "auto"), *EPOCHS_RANGE, integer=True)
    if epochs != "auto":
        out["epochs"] = epochs
    batch = _number_or_auto("batch_size", given.get("batch_size", "auto"), *BATCH_RANGE, integer=True)
    if batch != "auto":
        out["batch_size"] = batch
    low, high = (bound / base_learning_rate for bound in LEARNING_RATE_RANGE)
    multiplier = _number_or_auto(
        "learning_rate_multiplier", given.get("learning_rate_multiplier", "auto"), low, high, integer=False
    )
    if multiplier != "auto":
        out["learning_rate"] = float(multiplier) * base_learning_rate
    return out


def reported_hyperparameters(resolved: dict[str, Any], base_learning_rate: float) -> dict[str, Any]:
    """What ran, in OpenAI's names (the training service's resolved values)."""
    lr = resolved.get("learning_rate")
    return {
        "n_epochs": resolved.get("epochs", "auto"),
        "batch_size": resolved.get("batch_size", "auto"),
        "learning_rate_multiplier": round(lr / base_learning_rate, 6) if isinstance(lr, int | float) else "auto",
    }


@dataclass(frozen=True)
class ReleaseNote:
    """One step of the release after training (evaluated, waiting for review, served …), as a job event."""

    at: datetime
    level: str  # info | warn | error
    message: str


@dataclass(frozen=True)
class Release:
    """Where the version of a succeeded training job stands, for the OpenAI job's status and events."""

    state: str  # evaluating | blocked | reviewing | rejected | deploying | serving | failed
    model: str | None = None
    reasons: tuple[str, ...] = ()
    notes: tuple[ReleaseNote, ...] = ()


#: Release states that end an OpenAI job as failed, with the error code the job reports.
FAILURE_CODES = {
    "blocked": "evaluation_gate_failed",
    "rejected": "human_review_rejected",
    "failed": "deployment_failed",
}


def job_status(training: dict[str, Any]) -> str:
    status = str(training["status"])
    return STATUS.get(status, status)


def job_object(
    row: OpenAIJobRow,
    training: dict[str, Any],
    *,
    release: Release | None,
    base_learning_rate: float,
) -> dict[str, Any]:
    """`release` is where the trained version stands (None while training): OpenAI's "succeeded" means the
    fine-tuned model answers, so a trained job is "running" until its version passed evaluation and serves."""
    status = job_status(training)
    error = None
    fine_tuned_model = None
    if status == "failed":
        error = {
            "code": "training_failed",
            "message": training.get("failure_reason") or "training failed",
            "param": None,
        }
    elif status == "succeeded" and release is not None:
        if release.state == "serving":
            fine_tuned_model = release.model
        elif release.state in FAILURE_CODES:
            status = "failed"
            code = FAILURE_CODES[release.state]
            error = {"code": code, "message": "; ".join(release.reasons) or code, "param": None}
        else:
            status = "running"
    estimated_finish = None
    eta = (training.get("estimate") or {}).get("seconds")
    if status in ("queued", "running") and training.get("started_at") and isinstance(eta, int | float):
        started = ts(training["started_at"])
        assert started is not None
        estimated_finish = started + int(eta)
    hyper = reported_hyperparameters(training.get("hyperparameters") or {}, base_learning_rate)
    return {
        "id": row.id,
        "object": "fine_tuning.job",
        "created_at": ts(row.created_at),
        "finished_at": ts(training.get("finished_at")) if status in ("succeeded", "failed", "cancelled") else None,
        "model": row.model,
        "fine_tuned_model": fine_tuned_model,
        "organization_id": row.owner,
        "status": status,
        "hyperparameters": hyper,
        "method": {"type": "supervised", "supervised": {"hyperparameters": hyper}},
        "training_file": row.training_file,
        "validation_file": row.validation_file,
        "result_files": [],
        "trained_tokens": training.get("trained_tokens") if status == "succeeded" else None,
        "error": error,
        "seed": row.seed,
        "suffix": row.suffix,
        "metadata": row.metadata_,
        "estimated_finish": estimated_finish,
        "integrations": [],
        "user_provided_suffix": row.suffix,
    }


def _event_id(job_id: str, *parts: Any) -> str:
    digest = hashlib.sha256("|".join([job_id, *map(str, parts)]).encode()).hexdigest()[:24]
    return f"ftevent-{digest}"


_LEVELS = {"info": "info", "warning": "warn", "warn": "warn", "error": "error", "critical": "error", "debug": "info"}


def parse_log_line(line: str) -> tuple[datetime, str, str] | None:
    """'<iso time> <LEVEL> <message>' as the training service writes its job log; None for other lines."""
    parts = line.split(None, 2)
    if len(parts) < 2:
        return None
    try:
        at = datetime.fromisoformat(parts[0])
    except ValueError:
        return None
    level = _LEVELS.get(parts[1].lower())
    if level is None:
        return None
    return at, level, parts[2] if len(parts) > 2 else ""


def job_events(
    job_id: str, log_text: str, metrics: list[dict[str, Any]], release: Release | None = None
) -> list[dict[str, Any]]:
    """The job's log lines and release steps (type message) and metric points (type metrics), newest first like
    OpenAI's."""
    events: list[tuple[float, dict[str, Any]]] = []
    for index, note in enumerate(release.notes if release is not None else ()):
        event = {
            "id": _event_id(job_id, "release", index, note.message),
            "object": "fine_tuning.job.event",
            "created_at": int(note.at.timestamp()),
            "level": note.level,
            "message": note.message,
            "type": "message",
            "data": {"model": release.model} if release is not None and release.model else {},
        }
        events.append((note.at.timestamp(), event))
    for index, line in enumerate(log_text.splitlines()):
        parsed = parse_log_line(line)
        if parsed is None:
            continue
        at, level, message = parsed
        event = {
            "id": _event_id(job_id, "log", index, line),
            "object": "fine_tuning.job.event",
            "created_at": int(at.timestamp()),
            "level": level,
            "message": message,
            "type": "message",
            "data": {},
        }
        events.append((at.timestamp(), event))
    for point in metrics:
        at = datetime.fromisoformat(str(point["recorded_at"]))
        data = {
            "step": point["step"],
            "epoch": point.get("epoch"),
            "train_loss": point.get("train_loss"),
            "valid_loss": point.get("val_loss"),
            "learning_rate": point.get("learning_rate"),
            "tokens_per_second": point.get("tokens_per_second"),
        }
        loss = point.get("train_loss")
        message = f"Step {point['step']}" + (f": training loss={loss:.4f}" if isinstance(loss, int | float) else "")
        event = {
            "id": _event_id(job_id, "metric", point["step"], point.get("event"), at.isoformat()),
            "object": "fine_tuning.job.event",
            "created_at": int(at.timestamp()),
            "level": "info",
            "message": message,
            "type": "metrics",
            "data": data,
        }
        events.append((at.timestamp(), event))
    events.sort(key=lambda pair: pair[0], reverse=True)
    return [event for _, event in events]


def checkpoints(
    job_id: str, training: dict[str, Any], metrics: list[dict[str, Any]], fine_tuned_model: str | None
) -> list[dict[str, Any]]:
    """Checkpoints the training service reports: its last saved step and, once succeeded, the final adapter.

    The training API exposes only the last checkpoint step, so earlier (overwritten) checkpoints are not listed."""
    steps: list[int] = []
    last = training.get("last_checkpoint_step")
    if isinstance(last, int) and last > 0:
        steps.append(last)
    if training.get("status") == "succeeded" and training.get("step") and training["step"] not in steps:
        steps.append(int(training["step"]))
    out = []
    for step in sorted(steps, reverse=True):
        known = [p for p in metrics if int(p["step"]) <= step]
        nearest = max(known, key=lambda p: int(p["step"])) if known else None
        name = fine_tuned_model or str(training.get("base_model", "model"))
        out.append(
            {
                "id": f"ftckpt-{hashlib.sha256(f'{job_id}|{step}'.encode()).hexdigest()[:24]}",
                "object": "fine_tuning.job.checkpoint",
                "created_at": ts(nearest["recorded_at"]) if nearest else ts(training.get("finished_at")),
                "fine_tuning_job_id": job_id,
                "fine_tuned_model_checkpoint": f"{name}:ckpt-step-{step}",
                "step_number": step,
                "metrics": {
                    "step": step,
                    "train_loss": nearest.get("train_loss") if nearest else None,
                    "valid_loss": nearest.get("val_loss") if nearest else None,
                },
            }
        )
    return out


def page(items: list[dict[str, Any]], after: str | None, limit: int) -> dict[str, Any]:
    """OpenAI's cursor page over an already ordered list: items after the one with id `after`."""
    start = 0
    if after is not None:
        ids = [item["id"] for item in items]
        if after not in ids:
            raise OpenAIError(400, f"no item with id {after!r} to page after", param="after", code="invalid_value")
        start = ids.index(after) + 1
    chunk = items[start : start + limit]
    return {"object": "list", "data": chunk, "has_more": start + limit < len(items)}


def fine_tunable_model(requested: str, known: Iterable[str]) -> str | None:
    """The base model `requested` names, as this deployment knows it: by its name, in any letter case, or by its
    Hugging Face id ("HuggingFaceTB/SmolLM2-135M-Instruct" names "smollm2-135m-instruct"); None when unknown."""
    names = {name.lower(): name for name in known}
    wanted = requested.strip().lower()
    return names.get(wanted) or names.get(wanted.rsplit("/", 1)[-1])
