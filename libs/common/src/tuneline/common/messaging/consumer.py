"""Subscribing to topics: validate every payload, retry the handler, dead-letter what cannot be processed.

A message that does not validate against its topic's model, or whose handler keeps failing, is published to the
dead-letter topic with the reason and then acknowledged, so a poison message never blocks its partition or
crash-loops the service. Offsets are committed only after the handler returned (at-least-once); handlers make a
redelivery harmless with the inbox (`claim_event`).

`subscribe_many` puts several topics on ONE group member: each member joining a group rebalances it, so a
service listening to many low-rate topics (intake's timeline listens to every lifecycle topic) starts in seconds
instead of minutes. `subscribe` is the one-topic case and may run several members (`consumer_workers`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.annotations import KafkaBroker as BrokerCtx
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from tuneline.common.events import DEAD_LETTER, DeadLettered, Event, Topic
from tuneline.common.messaging.broker import publish_now
from tuneline.common.settings import ServiceSettings

log = structlog.get_logger(__name__)

EventHandler = Callable[[Any], Awaitable[None]]
TopicHandler = Callable[[Topic[Any], Event], Awaitable[None]]


def subscribe(
    router: KafkaRouter | KafkaBroker,
    topic: Topic[Any],
    *,
    group: str,
    settings: ServiceSettings,
    handler: EventHandler,
    description: str | None = None,
) -> None:
    """Register `handler(event)` for `topic` in consumer group `group`."""

    async def dispatch(_: Topic[Any], event: Event) -> None:
        await handler(event)

    subscribe_many(router, [topic], group=group, settings=settings, handler=dispatch, description=description)


def subscribe_many(
    router: KafkaRouter | KafkaBroker,
    topics: Sequence[Topic[Any]],
    *,
    group: str,
    settings: ServiceSettings,
    handler: TopicHandler,
    name: str | None = None,
    description: str | None = None,
) -> None:
    """Register `handler(topic, event)` for every topic in `topics` on one consumer of group `group`."""
    by_name = {t.name: t for t in topics}
    max_attempts = settings.consumer_max_attempts

    async def consume(message: KafkaMessage, broker: BrokerCtx) -> None:
        raw = message.raw_message
        record = raw[0] if isinstance(raw, tuple) else raw
        topic = by_name[record.topic]
        body: bytes = message.body

        async def to_dead_letter(reason: str) -> None:
            letter = DeadLettered(
                producer=settings.service_name,
                original_topic=topic.name,
                partition=record.partition,
                offset=record.offset,
                key=record.key.decode(errors="replace") if record.key else None,
                consumer_group=group,
                reason=reason[:4000],
                payload=body.decode(errors="replace")[:100_000],
            )
            log.warning(
                "messaging.deadletter", topic=topic.name, group=group, reason=reason[:500], offset=record.offset
            )
            try:
                await publish_now(broker, DEAD_LETTER, letter)
            except Exception as exc:  # the message is logged with its offset for replay; never block the partition
                log.error("messaging.deadletter.failed", topic=topic.name, offset=record.offset, error=str(exc))

        try:
            event = topic.model.model_validate_json(body)
        except ValidationError as exc:
            await to_dead_letter(f"invalid payload for {topic.name}: {_summarise(exc)}")
            return

        for attempt in range(1, max_attempts + 1):
            try:
                await handler(topic, event)
                return
            except Exception as exc:
                log.warning(
                    "messaging.handler.failed",
                    topic=topic.name,
                    group=group,
                    event_id=str(event.event_id),
                    attempt=attempt,
                    error=f"{type(exc).__name__}: {exc}",
                    exc_info=attempt == max_attempts,
                )
                if attempt == max_attempts:
                    await to_dead_letter(f"handler failed {attempt} times: {type(exc).__name__}: {exc}")
                    return
                await asyncio.sleep(min(5.0, 0.2 * 2 ** (attempt - 1)))

    label = name or "_".join(t.name for t in topics)
    consume.__name__ = f"on_{label.replace('.', '_').replace('-', '_')}__{group}"
    options: dict[str, Any] = {}
    if len(topics) == 1:
        # Several group members split the partitions; order within a partition is kept. FastStream allows
        # concurrent members with manual commits only on a single-topic subscriber.
        options["max_workers"] = max(1, min(settings.consumer_workers, settings.kafka_topic_partitions))
    sub = router.subscriber(
        *by_name,
        group_id=group,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=max(300, settings.kafka_session_timeout_ms // 4),
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        ack_policy=AckPolicy.ACK,
        title=f"{group}:{label}",
        description=description or "; ".join(t.description for t in topics),
        **options,
    )
    sub(consume)


def _summarise(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:10]:
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
