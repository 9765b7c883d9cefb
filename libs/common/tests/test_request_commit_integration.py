"""A request's transaction commits before its answer is sent: a write that fails to commit is never answered 2xx."""

from __future__ import annotations

import contextlib
from uuid import uuid4

import pytest
import sqlalchemy as sa
from fastapi import APIRouter

from tuneline.common.app import SessionDep, create_service_app
from tuneline.common.db import InboxRecord
from tuneline.common.events import utcnow
from tuneline.common.testing.helpers import running_app

from .probe import MIGRATIONS

pytestmark = pytest.mark.integration


def _app(settings):
    router = APIRouter()

    @router.post("/deferred-conflict", status_code=201)
    async def deferred_conflict(session: SessionDep) -> dict[str, str]:
        # The unique violation surfaces only at commit (deferred constraint), after the handler returned.
        await session.execute(
            sa.text(
                "ALTER TABLE inbox_events DROP CONSTRAINT IF EXISTS inbox_once, "
                "ADD CONSTRAINT inbox_once UNIQUE (topic) DEFERRABLE INITIALLY DEFERRED"
            )
        )
        for _ in range(2):
            session.add(InboxRecord(consumer="c", event_id=uuid4(), topic="same", processed_at=utcnow()))
        await session.flush()
        return {"status": "created"}

    return create_service_app(settings, title="probe", description="probe", routers=[router], migrations=MIGRATIONS)


async def _statuses_sent(app, method: str, path: str) -> list[int]:
    """Call the ASGI app directly and return the statuses it started a response with (what a client sees)."""
    sent: list[int] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
        "root_path": "",
        "state": {},
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            sent.append(int(message["status"]))  # type: ignore[call-overload]

    with contextlib.suppress(Exception):  # the server error is re-raised to the server after the 500 went out
        await app(scope, receive, send)
    return sent


async def test_a_write_whose_commit_fails_is_not_answered_as_created(make_settings) -> None:
    settings = make_settings(service_name="probe_commit")
    app = _app(settings)
    async with running_app(app):
        statuses = await _statuses_sent(app, "POST", "/deferred-conflict")
        assert statuses == [500], f"the client was told {statuses} for a write that did not commit"
        async with app.state.tuneline.sessions() as s:
            n = (await s.execute(sa.select(sa.func.count()).select_from(InboxRecord))).scalar_one()
        assert n == 0, "nothing half-written"
