"""The monitoring service: inference metrics, drift, alerts, canary guard, retraining policy."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from tuneline.common.app import create_service_app
from tuneline.common.settings import load_settings
from tuneline.monitoring.context import build_context
from tuneline.monitoring.entrypoints import alerts as alerts_api
from tuneline.monitoring.entrypoints import consumers
from tuneline.monitoring.entrypoints import drift as drift_api
from tuneline.monitoring.entrypoints import inference as rollups_consumers
from tuneline.monitoring.entrypoints import quality as quality_api
from tuneline.monitoring.entrypoints import recommendations as recommendations_api
from tuneline.monitoring.entrypoints import retraining as retraining_api
from tuneline.monitoring.entrypoints import rollups as rollups_api
from tuneline.monitoring.entrypoints.loops import start_loops, stop_loops
from tuneline.monitoring.settings import MonitoringSettings


def create_app(settings: MonitoringSettings | None = None) -> FastAPI:
    settings = settings or load_settings(MonitoringSettings)
    return create_service_app(
        settings,
        title="Tuneline monitoring",
        description="Inference metrics per model version and canary arm, drift detection, alert rules and alerts, "
        "canary guard, retraining policy and optimisation recommendations.",
        routers=[
            rollups_api.router,
            quality_api.router,
            alerts_api.router,
            drift_api.router,
            retraining_api.router,
            recommendations_api.router,
        ],
        consumers=[rollups_consumers.register, consumers.register],
        context=build_context,
        migrations=Path(__file__).parent / "migrations",
        on_startup=[start_loops],
        on_shutdown=[stop_loops],
    )
