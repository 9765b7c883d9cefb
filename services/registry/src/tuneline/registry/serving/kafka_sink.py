"""Inference records to Kafka, published from the Ray router replicas straight to the monitoring topic.

Inference logs change no state of ours, so they skip the outbox (as `publish_now` does in the services); the
router has no database anyway. Plain acks=all producer: the idempotent producer fails on Tansu (TRAPS.md).
Records are batched by the producer (linger) so a busy router does not pay one broker round trip per request.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID

from tuneline.common.events import INFERENCE_LOGGED, InferenceLogged
from tuneline.registry.serving.records import InferenceRecord

log = logging.getLogger("tuneline.registry.serving")

JSON_HEADERS = [("content-type", b"application/json")]


def to_event(record: InferenceRecord, producer: str) -> InferenceLogged:
    return InferenceLogged(
        producer=producer,
        occurred_at=record.occurred_at,
        request_id=record.request_id,
        model_name=record.model_name,
        version_id=_uuid(record.version_id),
        arm="canary" if record.arm == "canary" else "stable",
        latency_ms=record.latency_ms,
        tokens_in=record.tokens_in,
        tokens_out=record.tokens_out,
        status=record.status,
        caller=record.caller,
        prompt_chars=record.prompt_chars,
        prompt=record.prompt,
        output=record.output,
    )


class KafkaInferenceSink:
    def __init__(self, bootstrap_servers: str, producer: str = "registry", linger_ms: int = 20) -> None:
        self._servers = bootstrap_servers
        self._producer_name = producer
        self._linger_ms = linger_ms
        self._producer: Any = None
        self._starting = asyncio.Lock()

    async def emit(self, record: InferenceRecord) -> None:
        producer = await self._started()
        event = to_event(record, self._producer_name)
        await producer.send(
            INFERENCE_LOGGED.name,
            event.model_dump_json().encode(),
            key=INFERENCE_LOGGED.key_of(event),
            headers=JSON_HEADERS,
        )

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def _started(self) -> Any:
        if self._producer is None:
            async with self._starting:
                if self._producer is None:
                    from aiokafka import AIOKafkaProducer

                    producer = AIOKafkaProducer(bootstrap_servers=self._servers, acks="all", linger_ms=self._linger_ms)
                    await producer.start()
                    self._producer = producer
        return self._producer


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
