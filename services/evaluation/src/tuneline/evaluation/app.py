"""The evaluation service's HTTP API and event consumers (the runner process is tuneline.evaluation.runner)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from tuneline.common.app import create_service_app
from tuneline.common.settings import load_settings
from tuneline.evaluation.evaluations import api as evaluations_api
from tuneline.evaluation.evaluations import consumers as evaluations_consumers
from tuneline.evaluation.settings import EvaluationSettings
from tuneline.evaluation.tracking import consumers as tracking_consumers

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: EvaluationSettings | None = None) -> FastAPI:
    settings = settings or load_settings(EvaluationSettings)
    consumers = [evaluations_consumers.register]
    if settings.mlflow_tracking_uri:  # an unconfigured deployment does not join the tracking group
        consumers.append(tracking_consumers.register)
    return create_service_app(
        settings,
        title="Tuneline evaluation",
        description="Evaluations of fine-tuned models against their base on held-out data: task metrics, the "
        "forgetting gate, KPI checks, quality score, JSON/HTML reports and blind human review. Publishes "
        "evaluation.completed; consumes job.completed (a hyperparameter study's trials excepted) and "
        "study.completed (the study's best trial), plus usecase.approved for KPI targets and job.progress for the "
        "loss curve; logs finished evaluations to MLflow when a tracking server is configured.",
        routers=[evaluations_api.router],
        consumers=consumers,
        migrations=MIGRATIONS,
    )
