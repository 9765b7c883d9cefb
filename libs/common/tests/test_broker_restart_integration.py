"""A restart of the (memory-only) broker loses no event and doubles none, and services recover without a restart.

Each test runs its own Tansu broker so that restarting it disturbs no other test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from tuneline.common.db import OutboxRecord
from tuneline.common.events import USECASE_SUBMITTED, UseCaseSubmitted
from tuneline.common.testing.broker import RestartableBroker
from tuneline.common.testing.helpers import bearer, eventually, running_app

from .probe import audit_rows, consumer_app, producer_app

pytestmark = pytest.mark.integration


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[RestartableBroker]:
    broker = RestartableBroker(tmp_path)
    try:
        yield broker
    finally:
        broker.stop()


async def _create_things(client: httpx.AsyncClient, headers: dict[str, str], n: int) -> list[UUID]:
    ids = []
    for _ in range(n):
        resp = await client.post("/things", headers=headers)
        assert resp.status_code == 201, resp.text
        ids.append(UUID(resp.json()["usecase_id"]))
    return ids


async def _all_sent(state: object) -> bool:
    async with state.sessions() as s:  # type: ignore[attr-defined]
        pending = (await s.execute(sa.select(sa.func.count()).where(OutboxRecord.sent_at.is_(None)))).scalar_one()
    return pending == 0


async def test_events_sent_before_a_broker_restart_reach_consumers_exactly_once_and_consuming_goes_on(
    make_settings, own_broker: RestartableBroker
) -> None:
    fast = {"kafka_bootstrap_servers": own_broker.bootstrap_servers, "broker_check_interval_s": 0.3}
    prod_settings = make_settings(service_name="probe_producer_restart", **fast)
    live_settings = make_settings(service_name="probe_consumer_live", **fast)
    late_settings = make_settings(service_name="probe_consumer_late", **fast)
    producer = producer_app(prod_settings)
    live = consumer_app(live_settings, group="probe-live")
    late = consumer_app(late_settings, group="probe-late")
    headers = bearer(prod_settings, "viewer")

    async with running_app(producer) as client, running_app(live):
        live_state, prod_state = live.state.tuneline, producer.state.tuneline
        before = await _create_things(client, headers, 4)
        for uid in before:
            await eventually(lambda uid=uid: audit_rows(live_state, "thing.seen", uid), what=f"live saw {uid}")
        await eventually(lambda: _all_sent(prod_state), what="outbox drained")
        # Move the live group's positions past where the re-published and new events will land on the new broker:
        # a consumer that kept its old positions would skip them.
        raw_ids = await _send_raw(own_broker.bootstrap_servers, per_partition=4, partitions=4)
        for uid in raw_ids:
            await eventually(lambda uid=uid: audit_rows(live_state, "thing.seen", uid), what=f"live saw raw {uid}")

        # Every record, topic and committed offset of the broker is gone now.
        own_broker.restart()

        await eventually(
            lambda: _republished(prod_state, len(before)), timeout_s=60, what="outbox re-published after restart"
        )
        republished = REGISTRY.get_sample_value(
            "tuneline_outbox_republished_total", {"schema": "probe_producer_restart"}
        )
        assert republished is not None and republished >= len(before)
        after = await _create_things(client, headers, 3)
        for uid in after:
            await eventually(
                lambda uid=uid: audit_rows(live_state, "thing.seen", uid),
                timeout_s=60,
                what=f"the live consumer kept consuming ({uid})",
            )

        # A consumer group that first joins the new broker still gets the events sent to the old one.
        async with running_app(late):
            late_state = late.state.tuneline
            for uid in before + after:
                rows = await eventually(
                    lambda uid=uid: audit_rows(late_state, "thing.seen", uid), timeout_s=60, what=f"late saw {uid}"
                )
                assert len(rows) == 1

        # The live consumer received the re-published events again; its inbox kept each effect single.
        for uid in before + after:
            assert len(await audit_rows(live_state, "thing.seen", uid)) == 1, f"{uid} processed twice"


async def _send_raw(bootstrap: str, *, per_partition: int, partitions: int) -> list[UUID]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    ids = []
    try:
        for partition in range(partitions):
            for _ in range(per_partition):
                event = UseCaseSubmitted(
                    producer="raw",
                    usecase_id=uuid4(),
                    title="t",
                    industry="i",
                    task_type="classification",
                    submitted_by="u",
                )
                await producer.send_and_wait(
                    USECASE_SUBMITTED.name, event.model_dump_json().encode(), partition=partition
                )
                ids.append(event.usecase_id)
    finally:
        await producer.stop()
    return ids


async def _republished(state: object, at_least: int) -> bool:
    relay = state.relay  # type: ignore[attr-defined]
    return relay.republished_total >= at_least and await _all_sent(state)
