"""The intake service: use cases from intake form to approval, and their timeline across the platform."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from tuneline.common.app import create_service_app
from tuneline.common.settings import load_settings
from tuneline.intake.settings import IntakeSettings
from tuneline.intake.usecases import api as usecases_api
from tuneline.intake.usecases import consumers as usecases_consumers
from tuneline.intake.usecases.service import IntakeContext

DESCRIPTION = (
    "Use cases: intake form (or the JSON intake template), qualification checklist, the fine-tune / prompt / "
    "RAG decision, RICE ranking, cost and ROI, the review workflow and a timeline of everything the platform "
    "does for each use case. Publishes usecase.submitted/approved/rejected; consumes every use-case lifecycle event."
)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or load_settings(IntakeSettings)
    context = IntakeContext(producer=settings.service_name, assumptions=settings.cost_assumptions())

    return create_service_app(
        settings,
        title="Tuneline intake",
        description=DESCRIPTION,
        routers=[usecases_api.router],
        consumers=[usecases_consumers.register],
        context=lambda _: context,
        migrations=Path(__file__).parent / "migrations",
    )
