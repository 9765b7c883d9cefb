"""The walking skeleton: an approval in intake reaches the data service through the outbox and Kafka, once.

Both services run as the processes `tuneline up` starts. The test acts only through intake's REST API (via the
SDK) and the broker; it reads the data service's tables and both processes' JSON logs to check the outcome.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer

from tuneline.cli.demo.forms import classification_form
from tuneline.common.auth import mint_token
from tuneline.common.events import USECASE_APPROVED, UseCaseApproved
from tuneline.sdk import Tuneline

pytestmark = pytest.mark.integration


def _until(check, timeout_s: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout_s}s")


def _send_raw(bootstrap: str, topic: str, payload: bytes, key: bytes) -> None:
    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(topic, payload, key=key)
        finally:
            await producer.stop()

    asyncio.run(send())


def test_approval_reaches_data_once_through_kafka_with_one_trace(
    start_stack, dev_settings, sql, json_log_lines, fresh_kafka_bootstrap
) -> None:
    stack = start_stack(("intake", "data"), env={"TUNELINE_PII_ENGINE": "regex"})
    urls = {p.name: p.url for p in stack.processes if p.url}
    submitter = Tuneline(mint_token(dev_settings, "maria.keller", ["data_owner"], team="plant-ops"), urls)
    reviewer = Tuneline(mint_token(dev_settings, "rui.reviewer", ["reviewer"], team="plant-ops"), urls)

    usecase = submitter.intake.create(classification_form(title=f"Classify maintenance logs {uuid4().hex[:6]}"))
    submitter.intake.submit(usecase.id)
    approved = reviewer.intake.approve(usecase.id, reason="clear KPI, data available")
    assert approved.status == "approved"

    recorded = _until(
        lambda: sql("SELECT * FROM data.data_usecases WHERE usecase_id = $1", usecase.id),
        what="data service recorded the approved use case",
    )
    assert recorded[0]["task_type"] == "classification"
    assert recorded[0]["approved_by"] == "rui.reviewer"
    assert recorded[0]["labels"] and "hydraulic" in json.loads(recorded[0]["labels"])

    # At-least-once delivery: the very same event again (as the relay would after a crash) changes nothing.
    outbox = sql(
        "SELECT event_id, payload, key FROM intake.outbox_events WHERE topic = $1 AND key = $2",
        USECASE_APPROVED.name,
        str(usecase.id),
    )
    assert len(outbox) == 1, "one approval, one event"
    event_id = outbox[0]["event_id"]
    _send_raw(fresh_kafka_bootstrap, USECASE_APPROVED.name, outbox[0]["payload"].encode(), outbox[0]["key"].encode())
    # A later marker on the same partition (same key): once it is processed, so is the duplicate before it.
    original = UseCaseApproved.model_validate_json(outbox[0]["payload"])
    marker = original.model_copy(update={"event_id": uuid4(), "occurred_at": original.occurred_at - timedelta(days=1)})
    _send_raw(fresh_kafka_bootstrap, USECASE_APPROVED.name, marker.model_dump_json().encode(), str(usecase.id).encode())
    _until(
        lambda: sql("SELECT 1 FROM data.inbox_events WHERE event_id = $1", marker.event_id),
        what="the marker event was consumed",
    )
    assert len(sql("SELECT 1 FROM data.inbox_events WHERE event_id = $1", event_id)) == 1
    audits = sql("SELECT 1 FROM data.audit_log WHERE action = 'usecase.recorded' AND resource_id = $1", str(usecase.id))
    assert len(audits) == 1, "the duplicate was not processed a second time"
    after = sql("SELECT updated_at, approved_at FROM data.data_usecases WHERE usecase_id = $1", usecase.id)
    assert after[0]["updated_at"] == recorded[0]["updated_at"]

    # One trace from the reviewer's request to the data service's consumer, visible in both services' logs.
    logs = {p.name: p.log for p in stack.processes}
    intake_line = _until(
        lambda: [
            line
            for line in json_log_lines(logs["intake"])
            if line.get("event") == "intake.usecase.approved" and line.get("usecase_id") == str(usecase.id)
        ],
        what="intake logged the approval",
    )[0]
    data_line = _until(
        lambda: [
            line
            for line in json_log_lines(logs["data"])
            if line.get("event") == "data.usecase.recorded" and line.get("usecase_id") == str(usecase.id)
        ],
        what="data logged the recorded use case",
    )[0]
    assert intake_line.get("trace_id"), "intake's request log line carries a trace id"
    assert data_line.get("trace_id") == intake_line["trace_id"]
