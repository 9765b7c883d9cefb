"""The FastStream Kafka broker every service uses, and explicit topic creation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import propagate, trace

from tuneline.common.events import ALL_TOPICS, E, Topic
from tuneline.common.settings import ServiceSettings

log = structlog.get_logger(__name__)

JSON_HEADERS = {"content-type": "application/json"}


def create_broker(settings: ServiceSettings, *, description: str | None = None) -> KafkaBroker:
    """A broker with trace context in headers and no idempotent producer (Tansu does not support it)."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"tuneline-{settings.service_name}",
        acks="all",
        enable_idempotence=False,
        linger_ms=1,
        middlewares=[KafkaTelemetryMiddleware(tracer_provider=trace.get_tracer_provider())],
        description=description,
        logger=None,
    )


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[Topic[Any]] = ALL_TOPICS,
    *,
    partitions: int = 4,
    replication_factor: int = 1,
    timeout_s: float = 30.0,
) -> list[str]:
    """Create any missing topics (we never rely on broker auto-creation); returns the names it created."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000)
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            await admin.close()
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
    try:
        existing = set(await admin.list_topics())
        missing = [t.name for t in topics if t.name not in existing]
        if missing:
            # Another service may create them at the same moment.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(n, num_partitions=partitions, replication_factor=replication_factor) for n in missing]
                )
            log.info("messaging.topics.created", topics=missing)
        return missing
    finally:
        await admin.close()


def trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers, to store with an outbox row or attach to a message."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def with_trace_context(event: E, headers: dict[str, str]) -> E:
    """`event` carrying the trace context of the step that caused it, unless it already names one."""
    if event.traceparent is not None or "traceparent" not in headers:
        return event
    return event.model_copy(update={"traceparent": headers["traceparent"]})


async def publish_now(broker: KafkaBroker, topic: Topic[E], event: E) -> None:
    """Publish without the outbox: only for facts that change no state of ours (e.g. inference logs)."""
    headers = trace_headers()
    await broker.publish(
        with_trace_context(event, headers).model_dump_json().encode(),
        topic.name,
        key=topic.key_of(event),
        headers={**JSON_HEADERS, **headers},
        correlation_id=str(event.event_id),
    )
