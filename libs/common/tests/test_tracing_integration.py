"""One story per use case: trace context in the event envelope across a real Kafka hop, continued and linked
spans, database and HTTP-client spans, and the backbone's Prometheus metrics."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from opentelemetry import trace

from tuneline.common.events import UseCaseSubmitted
from tuneline.common.infra import free_port
from tuneline.common.observability import continued_span, current_traceparent, linked_span
from tuneline.common.testing.fixtures import new_traceparent
from tuneline.common.testing.helpers import bearer, eventually, running_app

from .probe import consumer_app, producer_app

pytestmark = pytest.mark.integration


@pytest.fixture
def spans(recorded_spans: Any) -> Any:
    return recorded_spans


_traceparent = new_traceparent


async def test_event_carries_the_causing_trace_across_a_kafka_hop_and_the_consumer_continues_it(
    make_settings, spans
) -> None:
    trace_id, traceparent = _traceparent()
    prod_settings = make_settings(service_name="probe_producer_t")
    cons_settings = make_settings(service_name="probe_consumer_t")
    seen: list[UseCaseSubmitted] = []
    producer, consumer = producer_app(prod_settings), consumer_app(cons_settings, seen=seen)
    async with running_app(producer) as client, running_app(consumer) as consumer_client:
        headers = {**bearer(prod_settings, "viewer"), "traceparent": traceparent}
        resp = await client.post("/things", headers=headers)
        assert resp.status_code == 201, resp.text
        event_id = resp.json()["event_id"]
        await eventually(lambda: _async([e for e in seen if str(e.event_id) == event_id]), what="event consumed")

        event = next(e for e in seen if str(e.event_id) == event_id)
        assert event.traceparent is not None and event.traceparent.split("-")[1] == trace_id, event.traceparent

        recorded = spans()
        consumer_spans = [s for s in recorded if s["trace_id"] == trace_id and "process" in s["name"]]
        assert consumer_spans, "the consumer's processing span continues the request's trace"
        db_spans = [s for s in recorded if s["trace_id"] == trace_id and "db.system" in str(s["attributes"])]
        assert db_spans, "SQL statements of the request and of the consumer have spans in the trace"

        # The backbone's metrics: the consumer counted the message; both services report outbox and lag.
        producer_metrics = (await client.get("/metrics")).text
        assert 'tuneline_outbox_unsent_events{service="probe_producer_t"}' in producer_metrics
        assert 'tuneline_outbox_oldest_unsent_age_seconds{service="probe_producer_t"}' in producer_metrics
        consumer_metrics = (await consumer_client.get("/metrics")).text
        handled = [
            line
            for line in consumer_metrics.splitlines()
            if line.startswith("tuneline_consumer_messages_total{")
            and 'service="probe_consumer_t"' in line
            and 'outcome="handled"' in line
        ]
        assert handled and float(handled[0].rsplit(" ", 1)[1]) >= 1, consumer_metrics
        lag = [
            line
            for line in consumer_metrics.splitlines()
            if line.startswith("tuneline_consumer_lag_messages{") and 'group="probe-consumer"' in line
        ]
        assert lag and float(lag[0].rsplit(" ", 1)[1]) == 0, "all consumed: no lag on the partitions it owns"
        assert "tuneline_consumer_handling_seconds_count{" in consumer_metrics


async def _async(value: Any) -> Any:
    return value or None


def test_continued_span_joins_the_stored_trace_and_linked_span_links_to_it(spans) -> None:
    trace_id, traceparent = _traceparent()
    with continued_span("probe.job.run", traceparent, {"job_id": "j1"}) as span:
        assert format(span.get_span_context().trace_id, "032x") == trace_id
        inner = current_traceparent()
    assert inner is not None and inner.split("-")[1] == trace_id, "work inside the span stores the same trace"

    with (
        trace.get_tracer("probe").start_as_current_span("probe.request"),
        linked_span("probe.upload", traceparent, {"usecase_id": "u1", "absent": None}) as span,
    ):
        own = format(span.get_span_context().trace_id, "032x")
    assert own != trace_id, "a linked span stays in the caller's trace"
    upload = next(s for s in spans() if s["name"] == "probe.upload")
    assert [link["trace_id"] for link in upload["links"]] == [trace_id]
    assert upload["attributes"] == {"usecase_id": "u1"}


def test_a_malformed_or_missing_traceparent_starts_a_new_trace_without_links(spans) -> None:
    for bad in (None, "", "not-a-traceparent", "00-" + "0" * 32 + "-" + "0" * 16 + "-01"):
        with continued_span("probe.bad.continue", bad) as span:
            assert span.get_span_context().is_valid
        with linked_span("probe.bad.link", bad):
            pass
    linked = [s for s in spans() if s["name"] == "probe.bad.link"]
    assert linked and all(s["links"] == [] for s in linked)


async def test_http_client_calls_get_spans_in_the_current_trace(spans) -> None:
    trace_id, traceparent = _traceparent()
    port = free_port()
    with continued_span("probe.call", traceparent):
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/nothing-listens")
    calls = [s for s in spans() if s["trace_id"] == trace_id and s["name"].startswith("GET")]
    assert calls, "the outgoing request has a client span under the caller's span"


async def test_a_database_call_outside_any_operation_starts_no_trace(make_settings, spans) -> None:
    settings = make_settings(service_name="probe_lone_sql")
    app = producer_app(settings)
    async with running_app(app):
        async with app.state.tuneline.sessions() as session:
            await session.execute(sa.text("SELECT 'lone poll'"))
        with continued_span("probe.operation", None) as span:
            async with app.state.tuneline.sessions() as session:
                await session.execute(sa.text("SELECT 'inside an operation'"))
            operation = format(span.get_span_context().span_id, "016x")
    statements = [s for s in spans() if "db.system" in str(s["attributes"])]
    lone = [s for s in statements if "lone poll" in str(s["attributes"])]
    inside = [s for s in statements if "inside an operation" in str(s["attributes"])]
    assert not lone, "a poll outside any operation is not a trace of its own"
    assert [s["parent_span_id"] for s in inside] == [operation], statements
