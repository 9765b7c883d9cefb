"""Kafka subscribers of the registry: evaluation results register versions; canary alerts may roll back.

One consumer-group member for both topics (each member costs a rebalance at start).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import ALERT_RAISED, EVALUATION_COMPLETED, AlertRaised, EvaluationCompleted, Event, Topic
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.registry.deployments import service as deployments
from tuneline.registry.models import service
from tuneline.registry.openai_gateway import release as openai_release

GROUP = "registry"


def register(broker: KafkaBroker, state: AppState) -> None:
    async def handle(topic: Topic[Any], event: Event) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, GROUP, event.event_id, topic.name):
                return
            if isinstance(event, EvaluationCompleted):
                await service.register_from_evaluation(session, event, state.settings.service_name)
                await openai_release.on_registered(session, state.extras["serving"], event)
            elif isinstance(event, AlertRaised):
                await deployments.rollback_on_alert(session, state.extras["serving"], event)

    subscribe_many(broker, [EVALUATION_COMPLETED, ALERT_RAISED], group=GROUP, settings=state.settings, handler=handle)
