"""The studies' part of the training service's lifespan state: Optuna's storage and the sweeper task."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tuneline.common.app import AppState
from tuneline.training.settings import TrainingSettings
from tuneline.training.studies.optuna_repository import StudyStorage, postgres_storage


@dataclass
class StudiesContext:
    storage: StudyStorage
    sweeper: asyncio.Task[None] | None = None


def build_context(state: AppState) -> StudiesContext:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    return StudiesContext(storage=open_study_storage(settings))


def open_study_storage(settings: TrainingSettings) -> StudyStorage:
    """Optuna on the service's PostgreSQL, schema `settings.optuna_schema` (opened on first use, off the loop)."""
    return StudyStorage(postgres_storage(settings.database_url, settings.optuna_schema))


def studies_context(state: AppState) -> StudiesContext:
    return state.context_as(StudiesContext)
