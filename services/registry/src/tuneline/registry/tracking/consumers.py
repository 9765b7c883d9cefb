"""Register each new model version in MLflow's model registry by consuming the service's own model.registered.

A group of its own ("registry-tracking"), so a slow or absent MLflow server delays nothing else; idempotent by the
version's tag in MLflow, and a failure is logged, counted and skipped (tuneline.common.tracking).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import MODEL_REGISTERED, Event, ModelRegistered, Topic
from tuneline.common.messaging import subscribe_many
from tuneline.common.tracking import Tracker, build_tracker
from tuneline.registry.models import repository
from tuneline.registry.settings import RegistrySettings
from tuneline.registry.tracking.export import model_version

GROUP = "registry-tracking"


async def export_version(state: AppState, tracker: Tracker, event: ModelRegistered) -> str | None:
    """Register one model version in MLflow; its MLflow version number, or None (gone here, or MLflow failed)."""
    async with transaction(state.sessions) as session:
        version = await repository.get_version(session, event.version_id)
        model = await repository.get_model_by_id(session, event.model_id)
    if version is None or model is None:
        return None  # erased since: nothing to export
    return await tracker.register_version(model_version(event, model, version))


def register(broker: KafkaBroker, state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, RegistrySettings)
    tracker = build_tracker(settings, settings.service_name)
    if tracker is None:
        raise ValueError("mlflow_tracking_uri: set it to export model versions to MLflow")

    async def on_model_registered(topic: Topic[Any], event: Event) -> None:
        assert isinstance(event, ModelRegistered)
        await export_version(state, tracker, event)

    subscribe_many(
        broker,
        (MODEL_REGISTERED,),
        group=GROUP,
        settings=settings,
        handler=on_model_registered,
        name="model_version_tracking",
        description="Registers every new model version in MLflow's model registry, pointing at the job run's "
        "adapter, with its lineage (use case, dataset version, job, evaluation, base model, team) as tags.",
    )
