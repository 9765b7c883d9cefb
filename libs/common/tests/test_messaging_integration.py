"""The event backbone against real PostgreSQL and the real Kafka-protocol broker."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tuneline.common.db import OutboxRecord, transaction
from tuneline.common.events import DEAD_LETTER, USECASE_SUBMITTED, DeadLettered, UseCaseSubmitted
from tuneline.common.messaging import OutboxRelay, add_event
from tuneline.common.observability import configure_tracing
from tuneline.common.testing.helpers import bearer, eventually, running_app

from .probe import audit_rows, consumer_app, producer_app

pytestmark = pytest.mark.integration


def _submitted(**kw: object) -> UseCaseSubmitted:
    from uuid import uuid4

    return UseCaseSubmitted(
        producer="probe",
        usecase_id=uuid4(),
        title="t",
        industry="i",
        task_type="classification",
        submitted_by="u",
        **kw,
    )


async def test_request_event_reaches_other_service_once_with_same_trace(make_settings) -> None:
    exporter = InMemorySpanExporter()
    configure_tracing("probe", None, exporter=exporter)
    prod_settings = make_settings(service_name="probe_producer_a")
    cons_settings = make_settings(service_name="probe_consumer_a")
    producer, consumer = producer_app(prod_settings), consumer_app(cons_settings)
    async with running_app(producer) as client, running_app(consumer):
        resp = await client.post("/things", headers=bearer(prod_settings, "viewer"))
        assert resp.status_code == 201, resp.text
        usecase_id = UUID(resp.json()["usecase_id"])

        seen = await eventually(lambda: audit_rows(consumer.state.tuneline, "thing.seen", usecase_id), what="consumed")
        made = await audit_rows(producer.state.tuneline, "thing.created", usecase_id)
        assert len(seen) == 1
        assert made[0].trace_id is not None
        assert seen[0].trace_id == made[0].trace_id, "the consumer continued the request's trace"

        # Redeliver the very same event (at-least-once): nothing changes.
        async with producer.state.tuneline.sessions() as s:
            row = (await s.execute(sa.select(OutboxRecord).where(OutboxRecord.key == str(usecase_id)))).scalar_one()
        assert row.sent_at is not None
        raw = AIOKafkaProducer(bootstrap_servers=prod_settings.kafka_bootstrap_servers)
        await raw.start()
        try:
            await raw.send_and_wait(USECASE_SUBMITTED.name, row.payload.encode(), key=row.key.encode())
        finally:
            await raw.stop()
        await asyncio.sleep(1.0)
        assert len(await audit_rows(consumer.state.tuneline, "thing.seen", usecase_id)) == 1


async def test_unauthenticated_and_wrong_token_are_refused(make_settings) -> None:
    settings = make_settings(service_name="probe_producer_b")
    async with running_app(producer_app(settings)) as client:
        assert (await client.post("/things")).status_code == 401
        bad = {"Authorization": "Bearer not-a-jwt"}
        assert (await client.post("/things", headers=bad)).status_code == 401


async def test_publish_failure_loses_nothing_and_doubles_nothing(make_settings) -> None:
    prod_settings = make_settings(service_name="probe_producer_c")
    cons_settings = make_settings(service_name="probe_consumer_c")
    producer, consumer = producer_app(prod_settings), consumer_app(cons_settings)
    async with running_app(producer), running_app(consumer):
        state = producer.state.tuneline
        await state.relay.stop()  # take the live relay away: we drive relays by hand
        events = [_submitted() for _ in range(20)]
        async with transaction(state.sessions) as session:
            for e in events:
                await add_event(session, USECASE_SUBMITTED, e)

        # A relay whose broker is unreachable: every send fails, rows stay pending with a backoff.
        dead = OutboxRelay(
            state.sessions,
            bootstrap_servers="127.0.0.1:1",
            database_dsn=prod_settings.database_url,
            schema=prod_settings.db_schema,
            producer=_UnstartedProducer(),
        )
        assert await dead.relay_once() == 0
        async with state.sessions() as s:
            pending = (await s.execute(sa.select(OutboxRecord).where(OutboxRecord.sent_at.is_(None)))).scalars().all()
        assert len(pending) == 20
        assert all(r.attempts == 1 and r.last_error for r in pending)

        # Make them due again and relay with a working producer.
        async with transaction(state.sessions) as s:
            await s.execute(sa.update(OutboxRecord).values(available_at=sa.func.now()))
        good = OutboxRelay(
            state.sessions,
            bootstrap_servers=prod_settings.kafka_bootstrap_servers,
            database_dsn=prod_settings.database_url,
            schema=prod_settings.db_schema,
        )
        await good.start()
        try:
            await eventually(lambda: _all_sent(state), what="outbox drained")
        finally:
            await good.stop()

        consumer_state = consumer.state.tuneline
        for e in events:
            rows = await eventually(
                lambda e=e: audit_rows(consumer_state, "thing.seen", e.usecase_id), what=f"event {e.event_id}"
            )
            assert len(rows) == 1


async def test_poison_message_is_dead_lettered_and_does_not_block_the_partition(make_settings) -> None:
    settings = make_settings(service_name="probe_consumer_d")
    consumer = consumer_app(settings)
    dlq = AIOKafkaConsumer(
        DEAD_LETTER.name,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id="probe-dlq-reader",
        auto_offset_reset="earliest",
        session_timeout_ms=2000,
        fetch_max_wait_ms=10,
    )
    async with running_app(consumer):
        await dlq.start()
        try:
            raw = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
            await raw.start()
            good = _submitted()
            key = str(good.usecase_id).encode()
            try:
                # Same key → same partition: the poison message sits right before a valid one.
                await raw.send_and_wait(USECASE_SUBMITTED.name, b'{"type": "usecase.submitted", "title": 5}', key=key)
                await raw.send_and_wait(USECASE_SUBMITTED.name, good.model_dump_json().encode(), key=key)
            finally:
                await raw.stop()
            state = consumer.state.tuneline
            await eventually(lambda: audit_rows(state, "thing.seen", good.usecase_id), what="valid message processed")
            # The topic is shared with other tests' dead letters, and ours leaves through the outbox: read until
            # ours is there (or a minute has passed).
            letters: list[DeadLettered] = []
            poison: list[DeadLettered] = []
            deadline = asyncio.get_running_loop().time() + 60
            while not poison and asyncio.get_running_loop().time() < deadline:
                batch = await asyncio.wait_for(dlq.getmany(timeout_ms=1000), timeout=20)
                for records in batch.values():
                    letters += [DeadLettered.model_validate_json(r.value) for r in records]
                poison = [d for d in letters if d.consumer_group == "probe-consumer" and '"title": 5' in d.payload]
            assert poison, letters
            assert "invalid payload for usecase.submitted" in poison[0].reason
            assert "usecase_id" in poison[0].reason and "title" in poison[0].reason
        finally:
            await dlq.stop()


async def test_handler_failure_is_retried_then_succeeds_once(make_settings) -> None:
    prod_settings = make_settings(service_name="probe_producer_e")
    cons_settings = make_settings(service_name="probe_consumer_e")
    producer, consumer = producer_app(prod_settings), consumer_app(cons_settings, fail_times=2)
    async with running_app(producer) as client, running_app(consumer):
        resp = await client.post("/things", headers=bearer(prod_settings, "viewer"))
        usecase_id = UUID(resp.json()["usecase_id"])
        rows = await eventually(lambda: audit_rows(consumer.state.tuneline, "thing.seen", usecase_id), what="seen")
        assert len(rows) == 1


class _UnstartedProducer:
    """Stands in for a producer whose broker is down: every send raises like aiokafka does."""

    async def send(self, *args: object, **kwargs: object) -> None:
        from aiokafka.errors import KafkaConnectionError

        raise KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 1)]")


async def _all_sent(state) -> bool:
    async with state.sessions() as s:
        n = (await s.execute(sa.select(sa.func.count()).where(OutboxRecord.sent_at.is_(None)))).scalar_one()
    return n == 0
