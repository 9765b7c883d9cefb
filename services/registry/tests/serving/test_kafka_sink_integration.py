"""Inference records reach the monitoring topic as InferenceLogged events (real Kafka broker)."""

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer

from tuneline.common.events import INFERENCE_LOGGED, InferenceLogged
from tuneline.registry.serving.kafka_sink import KafkaInferenceSink
from tuneline.registry.serving.records import InferenceRecord

pytestmark = pytest.mark.integration


def record(model: str, version_id: str, arm: str, **extra: object) -> InferenceRecord:
    fields: dict[str, object] = {
        "request_id": f"req-{uuid4().hex}",
        "model_name": model,
        "version": 3,
        "version_id": version_id,
        "arm": arm,
        "endpoint": "chat",
        "stream": False,
        "latency_ms": 41.5,
        "tokens_in": 12,
        "tokens_out": 5,
        "status": "ok",
        "cost": 0.0,
        "caller": "abcdefghjk",
        "prompt_chars": 40,
        "occurred_at": datetime.now(UTC),
    }
    fields.update(extra)
    return InferenceRecord(**fields)  # type: ignore[arg-type]


async def test_records_arrive_as_inference_logged_events_keyed_by_model(kafka_bootstrap: str) -> None:
    model, version_id = f"m-{uuid4().hex[:8]}", str(uuid4())
    sink = KafkaInferenceSink(kafka_bootstrap)
    sent = [record(model, version_id, "canary"), record(model, version_id, "previous", status="error")]
    try:
        for r in sent:
            await sink.emit(r)
    finally:
        await sink.close()
    consumer = AIOKafkaConsumer(
        INFERENCE_LOGGED.name,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"t-{uuid4()}",
        auto_offset_reset="earliest",
        session_timeout_ms=2000,
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    seen: list[tuple[bytes, InferenceLogged]] = []
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while len(seen) < 2 and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for r in records:
                    event = InferenceLogged.model_validate_json(r.value)
                    if event.model_name == model:
                        seen.append((r.key, event))
    finally:
        await consumer.stop()
    assert [e.request_id for _, e in seen] == [r.request_id for r in sent]
    assert {k for k, _ in seen} == {model.encode()}
    first, second = seen[0][1], seen[1][1]
    assert (str(first.version_id), first.arm, first.tokens_in, first.tokens_out) == (version_id, "canary", 12, 5)
    assert (second.arm, second.status) == ("stable", "error")  # the weight-0 'previous' arm reports as stable
    assert first.prompt is None and first.producer == "registry"
