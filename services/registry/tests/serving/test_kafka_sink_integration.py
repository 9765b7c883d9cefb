"""Inference records reach the monitoring topic as InferenceLogged events (real Kafka broker), and survive a
broker that is down, restarted empty, or a router that is shutting down."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer

from tuneline.common.events import INFERENCE_LOGGED, InferenceLogged
from tuneline.common.testing.broker import RestartableBroker
from tuneline.common.testing.helpers import eventually
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


async def consumed(bootstrap: str, model: str, expected: int, timeout_s: float = 20.0) -> list[InferenceLogged]:
    """Every InferenceLogged of `model` on the broker, read from the start (stops once `expected` arrived)."""
    consumer = AIOKafkaConsumer(
        INFERENCE_LOGGED.name,
        bootstrap_servers=bootstrap,
        group_id=f"t-{uuid4()}",
        auto_offset_reset="earliest",
        session_timeout_ms=2000,
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    seen: list[InferenceLogged] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while len(seen) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                seen += [e for r in records if (e := InferenceLogged.model_validate_json(r.value)).model_name == model]
        # anything beyond `expected` (a duplicate) arrives in the same fetches; give it one more round
        for records in (await consumer.getmany(timeout_ms=500)).values():
            seen += [e for r in records if (e := InferenceLogged.model_validate_json(r.value)).model_name == model]
    finally:
        await consumer.stop()
    return seen


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[RestartableBroker]:
    broker = RestartableBroker(tmp_path, start=False)
    try:
        yield broker
    finally:
        broker.stop()


async def test_records_wait_for_a_broker_that_is_down_and_arrive_once_it_is_up(own_broker: RestartableBroker) -> None:
    model = f"m-{uuid4().hex[:8]}"
    sink = KafkaInferenceSink(own_broker.bootstrap_servers, broker_check_interval_s=0.3, send_timeout_s=2)
    sent = [record(model, str(uuid4()), "stable") for _ in range(3)]
    try:
        for r in sent:
            await sink.emit(r)
        await asyncio.sleep(1.0)  # the sender tries, fails, backs off: nothing is dropped
        assert sink.waiting == 3 and sink.outcomes.counts["dropped_overflow"] == 0
        own_broker.start()
        assert await sink.flush(30), f"still waiting: {sink.waiting}"
    finally:
        await sink.close()
    seen = await consumed(own_broker.bootstrap_servers, model, 3)
    assert sorted(e.request_id for e in seen) == sorted(r.request_id for r in sent)
    assert sink.outcomes.counts["sent"] == 3 and sink.outcomes.counts["retried"] >= 3


async def test_records_a_restarted_broker_lost_are_sent_again_with_their_event_ids(
    own_broker: RestartableBroker,
) -> None:
    own_broker.start()
    model = f"m-{uuid4().hex[:8]}"
    sink = KafkaInferenceSink(own_broker.bootstrap_servers, broker_check_interval_s=0.3, send_timeout_s=2)
    before = [record(model, str(uuid4()), "stable") for _ in range(4)]
    try:
        for r in before:
            await sink.emit(r)
        assert await sink.flush(20)
        first = await consumed(own_broker.bootstrap_servers, model, 4)
        await eventually(lambda: _known(sink), timeout_s=10, what="the sink read the broker generation")
        own_broker.restart()  # memory only: the four records are gone with it

        async def resent() -> bool:
            return sink.outcomes.counts["resent"] >= 4 and sink.waiting == 0

        await eventually(resent, timeout_s=30, what="the retained records sent to the new broker")
        after = record(model, str(uuid4()), "canary")
        await sink.emit(after)
        assert await sink.flush(20)
    finally:
        await sink.close()
    second = await consumed(own_broker.bootstrap_servers, model, 5)
    assert [e.request_id for e in second] == [r.request_id for r in [*before, after]]
    # the same events, not new ones: monitoring's ingest (ON CONFLICT event_id) counts each request once
    assert {e.event_id for e in first} <= {e.event_id for e in second}


async def _known(sink: KafkaInferenceSink) -> bool:
    return sink.generation is not None


async def test_a_long_outage_costs_bounded_memory_and_the_dropped_records_are_counted(tmp_path: Path) -> None:
    unreachable = RestartableBroker(tmp_path, start=False)  # a free port nobody listens on
    sink = KafkaInferenceSink(unreachable.bootstrap_servers, max_pending=2, flush_timeout_s=0.5, send_timeout_s=1)
    try:
        for _ in range(5):
            await sink.emit(record("m", str(uuid4()), "stable"))
        assert sink.waiting == 2
        assert sink.outcomes.counts["dropped_overflow"] == 3
    finally:
        await sink.close()  # the broker never came: what still waited is counted, not silently lost
    assert sink.outcomes.counts["dropped_shutdown"] == 2 and sink.waiting == 0
    await sink.emit(record("m", str(uuid4()), "stable"))  # after close: counted, never raises
    assert sink.outcomes.counts["dropped_shutdown"] == 3


def test_bounds_are_checked() -> None:
    with pytest.raises(ValueError, match="max_pending"):
        KafkaInferenceSink("127.0.0.1:1", max_pending=0)
