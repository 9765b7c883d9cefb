"""The service's per-event subscriptions on one group member (each member costs a rebalance at start).

Inference events have their own batch consumer (rollups/consumers.py) in a group of their own.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.events import DATASET_READY, DEPLOYMENT_UPDATED, Topic
from tuneline.common.messaging import subscribe_many
from tuneline.monitoring.drift.consumers import dataset_handler
from tuneline.monitoring.models.consumers import deployment_handler


def register(broker: KafkaBroker, state: AppState) -> None:
    handlers: dict[str, Any] = {
        DEPLOYMENT_UPDATED.name: deployment_handler(state),
        DATASET_READY.name: dataset_handler(state),
    }

    async def dispatch(topic: Topic[Any], event: Any) -> None:
        await handlers[topic.name](event)

    subscribe_many(
        broker, [DEPLOYMENT_UPDATED, DATASET_READY], group="monitoring", settings=state.settings, handler=dispatch
    )
