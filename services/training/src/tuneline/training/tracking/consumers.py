"""Log each finished job to MLflow by consuming the service's own job.completed.

A group of its own ("training-tracking"), so a slow or absent MLflow server delays nothing else. The export is
idempotent by the job's tag in MLflow (tuneline.common.tracking), so a redelivery logs nothing twice; a failure is
logged, counted and skipped (never raised: the event would only be retried against the same server and then
dead-lettered).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import JOB_COMPLETED, Event, JobCompleted, Topic
from tuneline.common.messaging import subscribe_many
from tuneline.common.tracking import Tracker, build_tracker
from tuneline.training.jobs import repository
from tuneline.training.settings import TrainingSettings
from tuneline.training.tracking.export import job_run, stage_adapter

GROUP = "training-tracking"


async def export_job(state: AppState, tracker: Tracker, event: JobCompleted) -> str | None:
    """Log one finished job; its MLflow run id, or None when MLflow failed."""
    async with transaction(state.sessions) as session:
        history = await repository.list_metrics(session, event.job_id)
    return await tracker.log_run(job_run(event, history, stage_adapter(state.store, event.adapter_uri)))


def register(broker: KafkaBroker, state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    tracker = build_tracker(settings, settings.service_name)
    if tracker is None:
        raise ValueError("mlflow_tracking_uri: set it to export jobs to MLflow")

    async def on_job_completed(topic: Topic[Any], event: Event) -> None:
        assert isinstance(event, JobCompleted)
        await export_job(state, tracker, event)

    subscribe_many(
        broker,
        (JOB_COMPLETED,),
        group=GROUP,
        settings=settings,
        handler=on_job_completed,
        name="job_tracking",
        description="Logs every finished job to the MLflow tracking server: parameters, the loss curve per step, "
        "final metrics, lineage tags and the adapter files.",
    )
