"""Kafka messaging: broker factory, explicit topic creation, transactional outbox, inbox, dead letters."""

from tuneline.common.messaging.broker import create_broker, ensure_topics, publish_now
from tuneline.common.messaging.consumer import EventHandler, TopicHandler, subscribe, subscribe_many
from tuneline.common.messaging.inbox import claim_event
from tuneline.common.messaging.outbox import OutboxRelay, add_event

__all__ = [
    "EventHandler",
    "OutboxRelay",
    "TopicHandler",
    "add_event",
    "claim_event",
    "create_broker",
    "ensure_topics",
    "publish_now",
    "subscribe",
    "subscribe_many",
]
