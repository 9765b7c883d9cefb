"""Kafka subscriber: the other services' erasure.applied into the erasure report; usecase.erased erases every
dataset of the use case."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import ERASURE_APPLIED, USECASE_ERASED, ErasureApplied, Event, Topic, UseCaseErased
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.data.erasure import service

#: A group of its own: acknowledgements never wait behind (or rebalance) the use-case consumer.
GROUP = "data-erasure"


def register(broker: KafkaBroker, state: AppState) -> None:
    async def on_event(topic: Topic[Any], event: Event) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, GROUP, event.event_id, topic.name):
                return
            if isinstance(event, ErasureApplied):
                await service.record_acknowledgement(session, event)
            elif isinstance(event, UseCaseErased):
                await service.erase_usecase(session, state.store, state.settings.service_name, event)

    subscribe_many(
        broker,
        [ERASURE_APPLIED, USECASE_ERASED],
        group=GROUP,
        settings=state.settings,
        handler=on_event,
        name="data_erasure",
        description="Other services' erasure.applied (the erasure report) and usecase.erased (erase its datasets).",
    )
