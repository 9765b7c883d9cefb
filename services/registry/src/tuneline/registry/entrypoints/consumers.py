"""Kafka subscribers of the registry: evaluation results register versions; canary alerts may roll back; a retired
use case stops serving; an erased dataset archives the versions trained on it.

One consumer-group member for the three topics (each member costs a rebalance at start).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import (
    ALERT_RAISED,
    DATASET_ERASED,
    EVALUATION_COMPLETED,
    USECASE_RETIRED,
    AlertRaised,
    DatasetErased,
    EvaluationCompleted,
    Event,
    Topic,
    UseCaseRetired,
)
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.registry import orchestration
from tuneline.registry.context import registry_context

GROUP = "registry"


def register(broker: KafkaBroker, state: AppState) -> None:
    context = registry_context(state)
    serving = context.serving

    async def handle(topic: Topic[Any], event: Event) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, GROUP, event.event_id, topic.name):
                return
            if isinstance(event, EvaluationCompleted):
                await orchestration.evaluation_completed(session, serving, event, state.settings.service_name)
            elif isinstance(event, AlertRaised):
                await orchestration.alert_raised(session, serving, event)
            elif isinstance(event, UseCaseRetired):
                await orchestration.usecase_retired(session, serving, event)
            elif isinstance(event, DatasetErased):
                await orchestration.dataset_erased(session, serving, state.store, event, state.settings.service_name)
        if isinstance(event, (UseCaseRetired, DatasetErased)):
            context.reconciler.poke()  # serving learns the stopped deployments and revoked keys now

    subscribe_many(
        broker,
        [EVALUATION_COMPLETED, ALERT_RAISED, USECASE_RETIRED, DATASET_ERASED],
        group=GROUP,
        settings=state.settings,
        handler=handle,
    )
