"""Kafka subscriber: the other services' erasure.applied into the erasure report."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import ERASURE_APPLIED, ErasureApplied, Event
from tuneline.common.messaging import claim_event, subscribe
from tuneline.data.erasure import service

#: A group of its own: acknowledgements never wait behind (or rebalance) the use-case consumer.
GROUP = "data-erasure"


def register(broker: KafkaBroker, state: AppState) -> None:
    async def on_applied(event: Event) -> None:
        assert isinstance(event, ErasureApplied)
        async with transaction(state.sessions) as session:
            if not await claim_event(session, GROUP, event.event_id, ERASURE_APPLIED.name):
                return
            await service.record_acknowledgement(session, event)

    subscribe(broker, ERASURE_APPLIED, group=GROUP, settings=state.settings, handler=on_applied)
