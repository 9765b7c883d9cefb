"""The training service's HTTP API and event consumers (the worker process is tuneline.training.worker)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from tuneline.common.app import create_service_app
from tuneline.common.settings import load_settings
from tuneline.training.estimate import api as estimate_api
from tuneline.training.jobs import api as jobs_api
from tuneline.training.jobs import consumers as jobs_consumers
from tuneline.training.notifications import consumers as notify_consumers
from tuneline.training.notifications.service import build_notifier
from tuneline.training.settings import TrainingSettings
from tuneline.training.studies import api as studies_api
from tuneline.training.studies import consumers as studies_consumers
from tuneline.training.studies import sweeper
from tuneline.training.studies.context import build_context
from tuneline.training.tracking import consumers as tracking_consumers

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    settings = settings or load_settings(TrainingSettings)
    consumers = [jobs_consumers.register, studies_consumers.register]
    if build_notifier(settings) is not None:  # an unconfigured deployment does not join the notify group
        consumers.append(notify_consumers.register)
    if settings.mlflow_tracking_uri:  # likewise the tracking group
        consumers.append(tracking_consumers.register)
    return create_service_app(
        settings,
        title="Tuneline training",
        description="Training jobs: queue with priorities, presets and hyperparameter validation, memory/time/cost "
        "estimates, LoRA/QLoRA workers with checkpoints, live progress, cancel/pause/resume; hyperparameter studies "
        "(Optuna TPE with median pruning) whose trials are jobs in the queue. Publishes job.* events and "
        "study.completed (the best trial, for evaluation); consumes usecase.approved, dataset.ready and "
        "retrain.requested, and its own job.completed/failed/cancelled to move studies and, with job.started, to "
        "notify people by webhook or e-mail when a channel is configured; logs finished jobs to MLflow when a "
        "tracking server is configured.",
        routers=[jobs_api.router, studies_api.router, estimate_api.router],
        consumers=consumers,
        context=build_context,
        migrations=MIGRATIONS,
        on_startup=[sweeper.start],
        on_shutdown=[sweeper.stop],
    )
