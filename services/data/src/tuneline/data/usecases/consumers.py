"""Kafka subscribers for use-case events (one consumer-group member for both topics: each member costs a group
rebalance at start)."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import USECASE_APPROVED, USECASE_RETIRED, Event, Topic, UseCaseApproved, UseCaseRetired
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.data.usecases import service


def register(broker: KafkaBroker, state: AppState) -> None:
    async def on_event(topic: Topic[Any], event: Event) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, "data", event.event_id, topic.name):
                return
            if isinstance(event, UseCaseApproved):
                await service.record_approval(session, event)
            elif isinstance(event, UseCaseRetired):
                await service.record_retirement(session, event)

    subscribe_many(
        broker,
        [USECASE_APPROVED, USECASE_RETIRED],
        group="data",
        settings=state.settings,
        handler=on_event,
        name="data_usecases",
    )
