"""Kafka subscribers: decode, claim the event id (inbox), call the service."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import (
    DATASET_ERASED,
    DATASET_READY,
    RETRAIN_REQUESTED,
    USECASE_APPROVED,
    USECASE_ERASED,
    USECASE_RETIRED,
    DatasetErased,
    DatasetReady,
    Event,
    RetrainRequested,
    Topic,
    UseCaseApproved,
    UseCaseErased,
    UseCaseRetired,
)
from tuneline.common.messaging import claim_event
from tuneline.common.messaging.consumer import subscribe_many
from tuneline.training.jobs import service
from tuneline.training.settings import TrainingSettings


def register(broker: KafkaBroker, state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    group = settings.service_name  # one consumer group per consuming service

    async def on_event(topic: Topic[Any], event: Event) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, group, event.event_id, topic.name):
                return  # a redelivery
            if isinstance(event, UseCaseApproved):
                await service.record_usecase(session, event, settings)
            elif isinstance(event, DatasetReady):
                await service.record_dataset_ready(session, event, settings)
            elif isinstance(event, RetrainRequested):
                await service.on_retrain_requested(session, event, settings)
            elif isinstance(event, UseCaseRetired):
                await service.record_retirement(session, event, settings)
            elif isinstance(event, DatasetErased):
                await service.erase_for_dataset(session, settings, state.store, event)
            elif isinstance(event, UseCaseErased):
                await service.record_usecase_erasure(session, event)

    # one group member for the low-rate topics: every extra member would cost a group rebalance at start
    subscribe_many(
        broker,
        [USECASE_APPROVED, DATASET_READY, RETRAIN_REQUESTED, USECASE_RETIRED, DATASET_ERASED, USECASE_ERASED],
        group=group,
        settings=settings,
        handler=on_event,
        name="training_inputs",
    )
