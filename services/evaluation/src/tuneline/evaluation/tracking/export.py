"""What MLflow gets for a finished evaluation: base and fine-tuned metrics, the forgetting figures, the release
decision, lineage tags and the report (JSON and HTML), as a run nested under the job's run when that was logged.

An evaluation run never carries ``tuneline.job_id`` (that tag finds the job's own run); it names the job in
``tuneline.training_job_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tuneline.common.events import EvaluationCompleted
from tuneline.common.storage import ObjectNotFound, ObjectStore, download_to, locate
from tuneline.common.tracking import RunExport, StageArtifacts

#: Where the report files go in the evaluation's run.
REPORT_PATH = "report"
#: The runner writes the HTML report next to the JSON one that evaluation.completed names.
REPORT_FILES = ("report.json", "report.html")


def evaluation_metrics(event: EvaluationCompleted) -> dict[str, float]:
    metrics = {f"base.{k}": v for k, v in event.metrics_base.items()}
    metrics.update({f"tuned.{k}": v for k, v in event.metrics_tuned.items()})
    metrics.update({f"forgetting.{k}": v for k, v in event.forgetting.items()})
    metrics["passed"] = 1.0 if event.passed else 0.0
    return metrics


def evaluation_run(event: EvaluationCompleted, stage: StageArtifacts | None) -> RunExport:
    params: dict[str, object] = {f"hp.{k}": v for k, v in event.hyperparameters.items()}
    params.update(
        {
            "base_model": event.base_model,
            "method": event.method,
            "task_type": event.task_type,
            "dataset_version_id": str(event.dataset_version_id),
            "job_id": str(event.job_id),
        }
    )
    return RunExport(
        kind="evaluation",
        usecase_id=str(event.usecase_id),
        key=("tuneline.evaluation_id", str(event.evaluation_id)),
        name=f"evaluation-{event.evaluation_id}",
        params=params,
        metrics=evaluation_metrics(event),
        tags={
            "tuneline.usecase_id": str(event.usecase_id),
            "tuneline.training_job_id": str(event.job_id),
            "tuneline.dataset_version_id": str(event.dataset_version_id),
            "tuneline.base_model": event.base_model,
            "tuneline.team": event.team,
            "tuneline.passed": str(event.passed).lower(),
            "tuneline.review_required": str(event.review_required).lower(),
            "tuneline.reasons": "; ".join(event.reasons)[:5000] or None,
            "tuneline.report_uri": event.report_uri,
        },
        parent_key=("tuneline.job_id", str(event.job_id)),
        stage=stage,
    )


def stage_report(store: ObjectStore, report_uri: str | None) -> StageArtifacts | None:
    """Copies the report files out of the object store (a failed evaluation has none)."""
    if report_uri is None:
        return None

    async def stage(directory: Path) -> Mapping[str, Path]:
        holder, key = locate(store, report_uri)
        folder = key.rsplit("/", 1)[0] if "/" in key else ""
        target = directory / REPORT_PATH
        for name in REPORT_FILES:
            try:
                await download_to(holder, f"{folder}/{name}" if folder else name, target / name)
            except ObjectNotFound:
                if name == "report.json":  # the one evaluation.completed names must be there
                    raise
        return {REPORT_PATH: target}

    return stage
