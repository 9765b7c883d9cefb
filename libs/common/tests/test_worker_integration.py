"""The worker-process shell: migrates, relays the events its body writes, stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord, SessionFactory, transaction
from tuneline.common.events import USECASE_SUBMITTED, UseCaseSubmitted
from tuneline.common.messaging import add_event
from tuneline.common.testing.helpers import eventually
from tuneline.common.worker import run_worker

from .probe import MIGRATIONS

pytestmark = pytest.mark.integration


async def test_worker_shell_relays_its_events_and_stops_on_sigterm(make_settings) -> None:
    settings = make_settings(service_name="probe_worker_shell")
    seen: dict[str, object] = {}

    async def body(sessions: SessionFactory, stop: asyncio.Event) -> None:
        event = UseCaseSubmitted(
            producer="probe",
            usecase_id=os.urandom(16).hex(),
            title="t",
            industry="i",
            task_type="classification",
            submitted_by="worker",
        )
        async with transaction(sessions) as session:
            await add_event(session, USECASE_SUBMITTED, event)

        async def sent() -> bool:
            async with sessions() as session:
                row = (
                    await session.execute(sa.select(OutboxRecord).where(OutboxRecord.event_id == event.event_id))
                ).scalar_one()
            return row.sent_at is not None

        seen["sent"] = await eventually(sent, what="the worker's relay sent the event")
        os.kill(os.getpid(), signal.SIGTERM)  # handled by the shell: sets stop instead of killing the process
        await asyncio.wait_for(stop.wait(), timeout=10)
        seen["stopped"] = True

    await asyncio.wait_for(run_worker(settings, role="test", migrations=MIGRATIONS, body=body), timeout=60)
    assert seen == {"sent": True, "stopped": True}
