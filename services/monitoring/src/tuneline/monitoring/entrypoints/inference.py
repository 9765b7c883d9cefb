"""Inference events arrive in batches: one transaction per batch keeps ingest fast and memory bounded.

The kernel's `subscribe` handles one message at a time, which at thousands of events per second would mean
thousands of transactions; this batch subscriber keeps its guarantees (validation with dead letters, retries,
offsets committed only after the batch's transaction) while writing each batch at once.
"""

from __future__ import annotations

import asyncio

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import DEAD_LETTER, INFERENCE_LOGGED, DeadLettered, InferenceLogged
from tuneline.common.messaging import publish_now
from tuneline.common.redact import describe_error, summarise_validation
from tuneline.common.text import clean_model
from tuneline.monitoring.rollups import metrics, service
from tuneline.monitoring.settings import MonitoringSettings

log = structlog.get_logger(__name__)
GROUP = "monitoring-ingest"  # its own group: ingest rebalances never stall the other consumers


def register(broker: KafkaBroker, state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, MonitoringSettings)
    prices = settings.prices()

    async def dead_letter(record: object, reason: str) -> None:
        body: bytes = getattr(record, "value", b"") or b""
        event = DeadLettered(
            producer=settings.service_name,
            original_topic=INFERENCE_LOGGED.name,
            partition=getattr(record, "partition", None),
            offset=getattr(record, "offset", None),
            consumer_group=GROUP,
            reason=reason[:4000],
            payload=body.decode(errors="replace")[:100_000],
        )
        log.warning("monitoring.ingest.deadletter", offset=event.offset, partition=event.partition, reason=reason[:300])
        await publish_now(broker, DEAD_LETTER, event)

    @broker.subscriber(
        INFERENCE_LOGGED.name,
        batch=True,
        group_id=GROUP,
        max_records=settings.ingest_max_batch,
        batch_timeout_ms=settings.ingest_batch_timeout_ms,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=max(300, settings.kafka_session_timeout_ms // 4),
        # Ask the broker to hold a fetch until a batch's worth of bytes is there (or the batch timeout passes):
        # with fetch_min_bytes=1 Tansu answers each fetch with one small producer batch (~50 events here).
        fetch_min_bytes=settings.ingest_fetch_min_bytes,
        fetch_max_wait_ms=settings.ingest_batch_timeout_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{GROUP}:{INFERENCE_LOGGED.name}",
        description="Inference events, ingested in batches into raw storage and roll-ups.",
    )
    async def on_inference_batch(message: KafkaMessage) -> None:
        raw = message.raw_message
        records = raw if isinstance(raw, tuple) else (raw,)
        events: list[InferenceLogged] = []
        for record in records:
            try:
                event = InferenceLogged.model_validate_json(record.value or b"")
                # A prompt with NUL would fail the batch's insert and have it redelivered forever.
                events.append(clean_model(event, "monitoring.inference"))
            except ValidationError as error:
                metrics.INGESTED.labels("invalid").inc()
                reason = f"invalid payload for {INFERENCE_LOGGED.name}: {summarise_validation(error, limit=3)}"
                await dead_letter(record, reason)
        if not events:
            return
        attempts = settings.consumer_max_attempts
        for attempt in range(1, attempts + 1):
            try:
                async with transaction(state.sessions) as session:
                    result = await service.ingest(session, events, prices, settings.bucket_seconds)
                break
            except Exception as error:
                log.warning(
                    "monitoring.ingest.failed",
                    attempt=attempt,
                    events=len(events),
                    error=describe_error(error),
                )
                if attempt == attempts:
                    raise  # offsets stay uncommitted: the batch is redelivered, and the inbox drops what was stored
                await asyncio.sleep(min(5.0, 0.2 * 2 ** (attempt - 1)))
        metrics.record_batch(result.rollups, result.new_events, result.duplicates, result.delays_seconds)
        if result.erased:
            log.info("monitoring.ingest.erased_versions_dropped", events=result.erased)
