"""Log each finished evaluation to MLflow by consuming the service's own evaluation.completed.

A group of its own ("evaluation-tracking"), so a slow or absent MLflow server delays nothing else; idempotent by
the evaluation's tag in MLflow, and a failure is logged, counted and skipped, as for training's jobs
(tuneline.common.tracking).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.events import EVALUATION_COMPLETED, EvaluationCompleted, Event, Topic
from tuneline.common.messaging import subscribe_many
from tuneline.common.tracking import Tracker, build_tracker
from tuneline.evaluation.settings import EvaluationSettings
from tuneline.evaluation.tracking.export import evaluation_run, stage_report

GROUP = "evaluation-tracking"


async def export_evaluation(state: AppState, tracker: Tracker, event: EvaluationCompleted) -> str | None:
    """Log one finished evaluation; its MLflow run id, or None when MLflow failed."""
    return await tracker.log_run(evaluation_run(event, stage_report(state.store, event.report_uri)))


def register(broker: KafkaBroker, state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, EvaluationSettings)
    tracker = build_tracker(settings, settings.service_name)
    if tracker is None:
        raise ValueError("mlflow_tracking_uri: set it to export evaluations to MLflow")

    async def on_evaluation_completed(topic: Topic[Any], event: Event) -> None:
        assert isinstance(event, EvaluationCompleted)
        await export_evaluation(state, tracker, event)

    subscribe_many(
        broker,
        (EVALUATION_COMPLETED,),
        group=GROUP,
        settings=settings,
        handler=on_evaluation_completed,
        name="evaluation_tracking",
        description="Logs every finished evaluation to the MLflow tracking server: base and fine-tuned metrics, "
        "the release decision and the report, nested under the job's run.",
    )
