"""Chaos tier, first slice: the intake → data leg survives kill -9 of each service and a broker restart.

The services run as `tuneline up` runs them, on a broker of this test's own (it is restarted mid-way: the
embedded memory build loses every topic, record and committed offset), with the stack's supervisor polling in a
background thread as `tuneline up` does. Each kill and its recovery is printed. Afterwards every table of the leg
is checked for lost and duplicated rows: one use case per request, one record and one audit entry per approval in
data, one timeline entry per event in intake.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from tuneline.cli import stack as stack_mod
from tuneline.cli.demo.forms import classification_form
from tuneline.common.auth import mint_token
from tuneline.common.infra import free_port_block
from tuneline.sdk import Tuneline

from .chaos import kill_and_recover, restart_broker, say, supervised_stack, until
from .conftest import FAST_ENV

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture
def chaos_stack(fresh_database_url: str, tmp_path: Path) -> Iterator[stack_mod.Stack]:
    """intake and data with a broker of their own, supervised in a background thread as `tuneline up` does."""
    config = stack_mod.StackConfig(
        data_dir=tmp_path / "stack",
        base_port=free_port_block(len(stack_mod.SERVICES)),
        kafka_port=free_port_block(1),
        serving_port=free_port_block(1),
        database_url=fresh_database_url,
        services=("intake", "data"),
        workers=False,
        ready_timeout_s=120,
        extra_env={**FAST_ENV, "TUNELINE_PII_ENGINE": "regex", "TUNELINE_BROKER_CHECK_INTERVAL_S": "0.5"},
    )
    with supervised_stack(config) as stack:
        yield stack


def test_intake_to_data_survives_service_kills_and_a_broker_restart(chaos_stack, dev_settings, sql) -> None:
    stack = chaos_stack
    urls = {p.name: p.url for p in stack.processes if p.url}
    submitter = Tuneline(
        mint_token(dev_settings, "maria.keller", ["data_owner"], team="plant-ops"), urls, max_retries=6
    )
    reviewer = Tuneline(mint_token(dev_settings, "rui.reviewer", ["reviewer"], team="plant-ops"), urls, max_retries=6)
    approved: list[Any] = []

    def approve_one(label: str) -> None:
        usecase = submitter.intake.create(classification_form(title=f"Chaos {label} {uuid4().hex[:6]}"))
        submitter.intake.submit(usecase.id)
        reviewer.intake.approve(usecase.id, reason="chaos test")
        approved.append(usecase.id)
        say(f"use case {label} approved ({usecase.id})")

    def recorded_in_data(usecase_id: Any) -> bool:
        return bool(sql("SELECT 1 FROM data.data_usecases WHERE usecase_id = $1", usecase_id))

    approve_one("A")
    until(lambda: recorded_in_data(approved[-1]), what="A recorded by data")

    # data dies while an approval is on its way to it
    approve_one("B")
    kill_and_recover(stack, "data", "the delivery of B's approval")
    until(lambda: recorded_in_data(approved[-1]), what="B recorded by data after its restart")

    # intake dies between two requests of one person
    usecase = submitter.intake.create(classification_form(title=f"Chaos C {uuid4().hex[:6]}"))
    kill_and_recover(stack, "intake", "use case C's drafting")
    submitter.intake.submit(usecase.id)
    reviewer.intake.approve(usecase.id, reason="chaos test")
    approved.append(usecase.id)
    until(lambda: recorded_in_data(approved[-1]), what="C recorded by data after intake's restart")

    # the broker restarts empty; events sent to it before are re-published from the outboxes
    def epochs() -> set[str | None]:
        return {r["broker_epoch"] for r in sql("SELECT DISTINCT broker_epoch FROM intake.outbox_events")}

    before = epochs()
    assert len(before) == 1 and None not in before, before
    restart_broker(stack, "the lifecycle")
    approve_one("D")
    until(lambda: recorded_in_data(approved[-1]), what="D recorded by data after the broker restart")
    until(
        lambda: len(epochs()) == 1 and not epochs() & before and None not in epochs(),
        what="intake re-published to the new broker everything the lost one had acknowledged",
    )
    say("intake's outbox re-sent every retained event to the new broker")
    time.sleep(3)  # let the re-published events reach the consumers before the tables are counted

    # Nothing lost, nothing doubled.
    ids = [str(i) for i in approved]
    usecases = sql("SELECT id FROM intake.intake_usecases WHERE id = ANY($1::uuid[])", ids)
    assert len(usecases) == len(ids) == 4
    data_rows = sql("SELECT usecase_id FROM data.data_usecases WHERE usecase_id = ANY($1::uuid[])", ids)
    assert sorted(str(r["usecase_id"]) for r in data_rows) == sorted(ids)
    recorded = sql(
        "SELECT resource_id, count(*) AS n FROM data.audit_log WHERE action = 'usecase.recorded' GROUP BY resource_id"
    )
    assert {r["resource_id"]: r["n"] for r in recorded} == {str(i): 1 for i in ids}
    doubled = sql("SELECT event_id FROM data.inbox_events GROUP BY event_id, consumer HAVING count(*) > 1")
    assert doubled == []
    timeline = sql(
        "SELECT usecase_id, type, count(*) AS n FROM intake.intake_timeline WHERE usecase_id = ANY($1::uuid[])"
        " GROUP BY usecase_id, type",
        ids,
    )
    assert timeline and all(r["n"] == 1 for r in timeline), [dict(r) for r in timeline if r["n"] != 1]
    restarts = {p.name: p.restarts for p in stack.processes}
    assert restarts == {"intake": 1, "data": 1}
    say(f"tables checked: {len(ids)} use cases, each once in intake and data; restarts {restarts}")
