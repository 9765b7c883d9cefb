"""The service's per-event subscriptions on one group member (each member costs a rebalance at start).

Inference events have their own batch consumer (entrypoints/inference.py) in a group of their own.
- dataset.ready: summarise the new version's training inputs as a drift reference.
- deployment.updated: which versions a model serves as stable and canary.
- erasure.applied (the registry's): erase the drift references of the erased dataset versions and everything logged
  for the model versions trained on them, then acknowledge (monitoring's own erasure.applied).
"""

from __future__ import annotations

from typing import Any

import structlog
from faststream.kafka import KafkaBroker

from tuneline.common import erasure
from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import (
    DATASET_READY,
    DEPLOYMENT_UPDATED,
    ERASURE_APPLIED,
    DatasetReady,
    DeploymentUpdated,
    ErasureApplied,
    Event,
    Topic,
)
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.monitoring.context import monitoring_context
from tuneline.monitoring.drift import service as drift_service
from tuneline.monitoring.erasure import service as erasure_service
from tuneline.monitoring.models import service as models_service

log = structlog.get_logger(__name__)
GROUP = "monitoring"


def register(broker: KafkaBroker, state: AppState) -> None:
    context = monitoring_context(state)

    async def on_event(topic: Topic[Any], event: Event) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, GROUP, event.event_id, topic.name):
                return
            if isinstance(event, DeploymentUpdated):
                row = await models_service.record_deployment(session, event)
                log.info(
                    "monitoring.deployment.recorded",
                    model=row.model_name,
                    stable=row.stable_version,
                    canary=row.canary_version,
                    usecase_id=str(row.usecase_id),
                )
            elif isinstance(event, ErasureApplied):
                await erasure_service.erase_after_registry(session, event, state.settings.service_name)
            elif isinstance(event, DatasetReady):
                if await erasure.erased_among(session, [event.version_id]):
                    return  # erased before it arrived: never profile erased data
                ref = await drift_service.record_reference(
                    session, event, state.store, context.embedder, context.drift_config
                )
                log.info(
                    "monitoring.reference.recorded",
                    dataset_version_id=str(ref.version_id),
                    usecase_id=str(ref.usecase_id),
                )

    subscribe_many(
        broker,
        [DEPLOYMENT_UPDATED, DATASET_READY, ERASURE_APPLIED],
        group=GROUP,
        settings=state.settings,
        handler=on_event,
    )
