"""What MLflow gets for a finished job: its parameters, the loss curve step by step, the final metrics, lineage tags
and the adapter files. Pure apart from `stage_adapter`, which copies the adapter out of the object store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from tuneline.common.events import JobCompleted
from tuneline.common.storage import ObjectStore, download_prefix, locate
from tuneline.common.tracking import MetricPoint, RunExport, StageArtifacts
from tuneline.training.jobs.tables import TrainingJobMetric

#: The artifact path of the adapter in the job's run (a model version in MLflow's registry points at it).
ADAPTER_PATH = "adapter"
#: The figures of a progress report that become metric histories, by their name in MLflow.
HISTORY_FIELDS = ("train_loss", "val_loss", "learning_rate", "tokens_per_second")


def job_history(rows: Sequence[TrainingJobMetric]) -> list[MetricPoint]:
    """The recorded progress reports as per-step metric points (a figure a report lacks is left out)."""
    points = []
    for row in rows:
        for name in HISTORY_FIELDS:
            value = getattr(row, name)
            if value is not None:
                points.append(MetricPoint(key=name, value=float(value), step=row.step, at=row.recorded_at))
    return points


def job_run(event: JobCompleted, history: Sequence[TrainingJobMetric], stage: StageArtifacts | None) -> RunExport:
    params: dict[str, object] = {f"hp.{k}": v for k, v in event.hyperparameters.items()}
    params.update(
        {
            "base_model": event.base_model,
            "method": event.method,
            "task_type": event.task_type,
            "dataset_version_id": str(event.dataset_version_id),
            "hardware_profile": event.hardware_profile,
            "labels": event.labels or None,
        }
    )
    metrics: dict[str, float] = dict(event.metrics)
    metrics.update(
        {
            "trained_tokens": float(event.trained_tokens),
            "duration_seconds": event.duration_seconds,
            "train_seconds": event.train_seconds,
        }
    )
    return RunExport(
        kind="job",
        usecase_id=str(event.usecase_id),
        key=("tuneline.job_id", str(event.job_id)),
        name=f"job-{event.job_id}",
        params=params,
        metrics=metrics,
        history=job_history(history),
        tags=lineage_tags(event),
        stage=stage,
    )


def lineage_tags(event: JobCompleted) -> Mapping[str, str | None]:
    return {
        "tuneline.usecase_id": str(event.usecase_id),
        "tuneline.dataset_id": str(event.dataset_id),
        "tuneline.dataset_version_id": str(event.dataset_version_id),
        "tuneline.base_model": event.base_model,
        "tuneline.method": event.method,
        "tuneline.team": event.team,
        "tuneline.study_id": str(event.study_id) if event.study_id else None,
        "tuneline.adapter_uri": event.adapter_uri,
    }


def stage_adapter(store: ObjectStore, adapter_uri: str) -> StageArtifacts:
    """Copies the adapter's files out of the object store into the export's scratch directory."""

    async def stage(directory: Path) -> Mapping[str, Path]:
        holder, prefix = locate(store, adapter_uri)
        target = await download_prefix(holder, prefix, directory / ADAPTER_PATH)
        if not any(target.iterdir()):
            raise FileNotFoundError(f"adapter_uri {adapter_uri}: no files in the object store")
        return {ADAPTER_PATH: target}

    return stage
