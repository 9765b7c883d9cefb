"""Subscribing to topics: validate every payload, retry the handler, dead-letter what cannot be processed.

A message that does not validate against its topic's model, or whose handler keeps failing, is stored as a dead
letter in the service's schema (and announced on the dead-letter topic through the outbox) with the reason, and
then acknowledged, so a poison message never blocks its partition or crash-loops the service; an operator
replays it later (`messaging.deadletters`). Offsets are committed only after the handler returned
(at-least-once); handlers make a redelivery harmless with the inbox (`claim_event`).

`subscribe_many` puts several topics on ONE group member: each member joining a group rebalances it, so a
service listening to many low-rate topics (intake's timeline listens to every lifecycle topic) starts in seconds
instead of minutes. `subscribe` is the one-topic case and may run several members (`consumer_workers`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import structlog
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.annotations import KafkaBroker as BrokerCtx
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from tuneline.common.db import DeadLetterRecord
from tuneline.common.events import DEAD_LETTER, DeadLettered, Event, Topic
from tuneline.common.messaging.broker import publish_now
from tuneline.common.messaging.deadletters import CONTEXT_KEY, DeadLetterStore
from tuneline.common.messaging.metrics import CONSUMER_HANDLED, CONSUMER_HANDLING, DEAD_LETTERS
from tuneline.common.redact import describe_error, is_database_error, summarise_validation
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
    service = settings.service_name

    async def consume(
        message: KafkaMessage,
        broker: BrokerCtx,
        store: Annotated[DeadLetterStore | None, Context(CONTEXT_KEY, default=None)],
    ) -> None:
        raw = message.raw_message
        received = raw[0] if isinstance(raw, tuple) else raw
        topic = by_name[received.topic]
        started = time.perf_counter()
        try:
            outcome = await handle(received, topic, message.body, broker, store)
        finally:
            CONSUMER_HANDLING.labels(service, group, topic.name).observe(time.perf_counter() - started)
        CONSUMER_HANDLED.labels(service, group, topic.name, outcome).inc()

    async def handle(
        received: Any, topic: Topic[Any], body: bytes, broker: KafkaBroker, store: DeadLetterStore | None
    ) -> str:
        async def to_dead_letter(reason: str, kind: str) -> str:
            DEAD_LETTERS.labels(service, group, topic.name, kind).inc()
            row = DeadLetterRecord(
                original_topic=topic.name,
                partition=received.partition,
                offset=received.offset,
                key=received.key.decode(errors="replace").replace("\x00", "") if received.key else None,
                consumer_group=group,
                reason=reason.replace("\x00", ""),
                payload=body,
                headers=_text_headers(received.headers),
            )
            letter = DeadLettered(
                producer=settings.service_name,
                original_topic=topic.name,
                partition=row.partition,
                offset=row.offset,
                key=row.key,
                consumer_group=group,
                reason=reason[:4000],
                payload=body.decode(errors="replace")[:100_000],
                dead_letter_id=row.id,
            )
            log.warning(
                "messaging.deadletter", topic=topic.name, group=group, reason=reason[:500], offset=received.offset
            )
            if store is not None:
                try:
                    await store.store(row, letter)
                    return "dead_lettered"
                except Exception as exc:  # the database is down too: fall back to the broker, then the log
                    log.error("messaging.deadletter.store_failed", topic=topic.name, error=describe_error(exc))
            try:
                await publish_now(broker, DEAD_LETTER, letter)
            except Exception as exc:  # the message is logged with its offset for replay; never block the partition
                log.error(
                    "messaging.deadletter.failed", topic=topic.name, offset=received.offset, error=describe_error(exc)
                )
            return "dead_lettered"

        try:
            event = topic.model.model_validate_json(body)
        except ValidationError as exc:
            return await to_dead_letter(
                f"invalid payload for {topic.name}: {summarise_validation(exc)}", "invalid_payload"
            )

        for attempt in range(1, max_attempts + 1):
            try:
                await handler(topic, event)
                return "handled"
            except Exception as exc:
                # The reason is stored, published and logged: no bound values, record contents or server paths.
                error = describe_error(exc)
                log.warning(
                    "messaging.handler.failed",
                    topic=topic.name,
                    group=group,
                    event_id=str(event.event_id),
                    attempt=attempt,
                    error=error,
                    exc_info=attempt == max_attempts and not is_database_error(exc),
                )
                if attempt == max_attempts:
                    return await to_dead_letter(f"handler failed {attempt} times: {error}", "handler_failed")
                await asyncio.sleep(min(5.0, 0.2 * 2 ** (attempt - 1)))
        raise AssertionError("unreachable: the last attempt returns")  # pragma: no cover

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


def _text_headers(headers: Sequence[tuple[str, bytes]] | None) -> dict[str, str]:
    """Kafka headers as text a JSONB column accepts (no NUL), to travel again with a replay."""
    out: dict[str, str] = {}
    for name, value in headers or ():
        out[name.replace("\x00", "")] = (value or b"").decode(errors="replace").replace("\x00", "")
    return out
