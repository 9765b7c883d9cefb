"""Kafka subscribers for use-case events."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import USECASE_APPROVED, UseCaseApproved
from tuneline.common.messaging import claim_event, subscribe
from tuneline.data.usecases import service


def register(broker: KafkaBroker, state: AppState) -> None:
    async def on_usecase_approved(event: UseCaseApproved) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, "data", event.event_id, USECASE_APPROVED.name):
                return
            await service.record_approval(session, event)

    subscribe(broker, USECASE_APPROVED, group="data", settings=state.settings, handler=on_usecase_approved)
