"""Kafka subscribers: other services' lifecycle facts into the timeline, outside systems' intake requests."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import (
    USECASE_INTAKE_REQUESTED,
    USECASE_LIFECYCLE_TOPICS,
    Event,
    Topic,
    UseCaseIntakeRequested,
)
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.intake.usecases import service
from tuneline.intake.usecases.service import IntakeContext

GROUP = "intake"

# Intake writes its own events to the timeline itself; every other use-case fact is consumed.
TIMELINE_TOPICS: tuple[Topic[Any], ...] = tuple(
    t for t in USECASE_LIFECYCLE_TOPICS if not t.name.startswith("usecase.")
)


def register(broker: KafkaBroker, state: AppState) -> None:
    context = state.context_as(IntakeContext)

    async def on_event(topic: Topic[Any], event: Event) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, GROUP, event.event_id, topic.name):
                return
            if isinstance(event, UseCaseIntakeRequested):
                await service.intake_from_outside(session, context, event)
            else:
                await service.record_lifecycle_event(session, event)

    # One group member for all of them: each member joining the group costs a rebalance at start.
    subscribe_many(
        broker,
        [*TIMELINE_TOPICS, USECASE_INTAKE_REQUESTED],
        group=GROUP,
        settings=state.settings,
        handler=on_event,
        name="usecase_lifecycle",
        description="Every use-case lifecycle fact from the other services (timeline) and outside intake requests.",
    )
