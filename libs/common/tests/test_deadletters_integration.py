"""Dead letters are kept in the consuming service's schema, listed and replayed through its admin API."""

from __future__ import annotations

import secrets
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from tuneline.common.db import DeadLetterRecord
from tuneline.common.events import USECASE_SUBMITTED, UseCaseSubmitted
from tuneline.common.testing.helpers import bearer, eventually, running_app

from .probe import audit_rows, consumer_app, producer_app

pytestmark = pytest.mark.integration


async def test_failed_event_is_stored_listed_for_admins_only_and_replayed_once(make_settings) -> None:
    prod_settings = make_settings(service_name="probe_producer_dl")
    cons_settings = make_settings(service_name="probe_consumer_dl", consumer_max_attempts=1)
    producer = producer_app(prod_settings)
    consumer = consumer_app(cons_settings, fail_times=1, group="probe-dl")
    admin, viewer = bearer(cons_settings, "admin"), bearer(cons_settings, "viewer")
    async with running_app(producer) as pclient, running_app(consumer) as cclient:
        resp = await pclient.post("/things", headers=bearer(prod_settings, "viewer"))
        usecase_id = UUID(resp.json()["usecase_id"])

        async def letters() -> list[dict[str, object]]:
            r = await cclient.get("/admin/deadletters", headers=admin, params={"topic": USECASE_SUBMITTED.name})
            assert r.status_code == 200, r.text
            return [x for x in r.json() if x["key"] == str(usecase_id)]

        [letter] = await eventually(letters, what="dead letter stored")
        counted = REGISTRY.get_sample_value(
            "tuneline_consumer_dead_letters_total",
            {
                "service": "probe_consumer_dl",
                "topic": USECASE_SUBMITTED.name,
                "group": "probe-dl",
                "reason": "handler_failed",
            },
        )
        assert counted == 1
        assert "simulated handler failure" in letter["reason"]
        assert letter["consumer_group"] == "probe-dl" and letter["replayed_at"] is None
        assert "payload" not in letter and letter["payload_bytes"] > 0
        assert await audit_rows(consumer.state.tuneline, "thing.seen", usecase_id) == []

        assert (await cclient.get("/admin/deadletters", headers=viewer)).status_code == 403
        assert (await cclient.post(f"/admin/deadletters/{letter['id']}/replay", headers=viewer)).status_code == 403

        replayed = await cclient.post(f"/admin/deadletters/{letter['id']}/replay", headers=admin)
        assert replayed.status_code == 202, replayed.text
        assert replayed.json()["replay_count"] == 1 and replayed.json()["replayed_at"] is not None
        rows = await eventually(
            lambda: audit_rows(consumer.state.tuneline, "thing.seen", usecase_id), what="replayed event processed"
        )
        assert len(rows) == 1
        [after] = await letters()
        assert after["replay_count"] == 1
        assert (await cclient.get("/admin/deadletters", headers=admin, params={"replayed": "false"})).json() == []
        audit = await audit_rows(consumer.state.tuneline, "deadletter.replayed", UUID(str(letter["id"])))
        assert len(audit) == 1

        missing = await cclient.post(f"/admin/deadletters/{uuid4()}/replay", headers=admin)
        assert missing.status_code == 404


async def test_poison_bytes_postgres_refuses_as_text_are_kept_exactly_and_refused_for_replay(make_settings) -> None:
    settings = make_settings(service_name="probe_consumer_nul")
    consumer = consumer_app(settings, group="probe-nul")
    admin = bearer(settings, "admin")
    key = str(uuid4())
    body = b'{"type": "usecase.submitted", "title": "a\x00b\xff"}'
    async with running_app(consumer) as client:
        raw = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
        await raw.start()
        try:
            await raw.send_and_wait(USECASE_SUBMITTED.name, body, key=key.encode())
        finally:
            await raw.stop()

        async def letter() -> list[dict[str, object]]:
            r = await client.get("/admin/deadletters", headers=admin)
            return [x for x in r.json() if x["key"] == key]

        [stored] = await eventually(letter, what="poison message stored")
        assert stored["payload_bytes"] == len(body)
        assert "invalid payload for usecase.submitted" in str(stored["reason"])
        refused = await client.post(f"/admin/deadletters/{stored['id']}/replay", headers=admin)
        assert refused.status_code == 409
        assert "UTF-8" in refused.text
        [still] = await letter()
        assert still["replayed_at"] is None


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT CAST(:title AS uuid)",  # PostgreSQL's message quotes the value it could not convert
        "SELECT 1 / 0 + length(:title)",  # the statement fails after binding the value
    ],
    ids=["value-quoted-by-the-database", "value-bound"],
)
async def test_a_failing_statement_dead_letters_and_logs_no_bound_value(
    make_settings, tmp_path: Path, statement: str
) -> None:
    marker = "pii-marker-" + secrets.token_hex(8)
    log_file = tmp_path / "consumer.log"
    settings = make_settings(service_name="probe_consumer_sql", consumer_max_attempts=2, log_file=str(log_file))
    consumer = consumer_app(settings, group=f"probe-sql-{secrets.token_hex(4)}", failing_sql=statement)
    admin = bearer(settings, "admin")
    key = str(uuid4())
    event = UseCaseSubmitted(
        producer="probe",
        usecase_id=UUID(key),
        title=marker,
        industry="manufacturing",
        task_type="classification",
        submitted_by="tester",
    )
    async with running_app(consumer) as client:
        raw = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
        await raw.start()
        try:
            await raw.send_and_wait(USECASE_SUBMITTED.name, event.model_dump_json().encode(), key=key.encode())
        finally:
            await raw.stop()

        async def letter() -> list[dict[str, object]]:
            r = await client.get("/admin/deadletters", headers=admin)
            return [x for x in r.json() if x["key"] == key]

        [stored] = await eventually(letter, what="failed event dead-lettered")
        async with consumer.state.tuneline.sessions() as session:
            row = await session.get(DeadLetterRecord, UUID(str(stored["id"])))
    assert row is not None
    reason = str(stored["reason"])
    assert reason.startswith("handler failed 2 times: ") and "SQLSTATE" in reason, reason
    assert marker not in reason and marker not in row.reason
    assert marker.encode() in row.payload, "the event itself is kept for replay; only the reason is cleaned"
    logged = log_file.read_text()
    assert "messaging.handler.failed" in logged and "messaging.deadletter" in logged
    assert marker not in logged
