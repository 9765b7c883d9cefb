"""A two-service probe built only from the kernel: `producer` records a change and emits an event through the
outbox; `consumer` consumes it idempotently. The messaging tests and the backbone benchmark drive it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from fastapi import APIRouter
from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState, SessionDep, create_service_app
from tuneline.common.auth import CurrentUser, audit
from tuneline.common.db import AuditRecord, transaction
from tuneline.common.events import USECASE_SUBMITTED, UseCaseSubmitted
from tuneline.common.messaging import add_event, claim_event, subscribe
from tuneline.common.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "probe_migrations"


def producer_app(settings: ServiceSettings) -> Any:
    router = APIRouter()

    @router.post("/things", status_code=201)
    async def create_thing(session: SessionDep, user: CurrentUser) -> dict[str, str]:
        usecase_id = uuid4()
        await audit(session, user, "thing.created", "thing", usecase_id)
        event = UseCaseSubmitted(
            producer=settings.service_name,
            usecase_id=usecase_id,
            title="probe",
            industry="manufacturing",
            task_type="classification",
            submitted_by=user.subject,
        )
        await add_event(session, USECASE_SUBMITTED, event)
        return {"usecase_id": str(usecase_id), "event_id": str(event.event_id)}

    return create_service_app(
        settings, title="probe producer", description="probe", routers=[router], migrations=MIGRATIONS
    )


def consumer_app(
    settings: ServiceSettings,
    *,
    fail_times: int = 0,
    group: str = "probe-consumer",
    seen: list[UseCaseSubmitted] | None = None,
    failing_sql: str | None = None,
) -> Any:
    """`failing_sql`: a statement the handler runs with the event's title bound as :title (one that fails)."""
    failures = {"left": fail_times}

    def register(broker: KafkaBroker, state: AppState) -> None:
        async def on_submitted(event: UseCaseSubmitted) -> None:
            async with transaction(state.sessions) as session:
                if not await claim_event(session, group, event.event_id, USECASE_SUBMITTED.name):
                    return
                if failures["left"] > 0:
                    failures["left"] -= 1
                    raise RuntimeError("simulated handler failure")
                if failing_sql is not None:
                    await session.execute(sa.text(failing_sql), {"title": event.title})
                await audit(session, "probe-consumer", "thing.seen", "thing", event.usecase_id)
            if seen is not None:
                seen.append(event)

        subscribe(broker, USECASE_SUBMITTED, group=group, settings=settings, handler=on_submitted)

    return create_service_app(
        settings, title="probe consumer", description="probe", consumers=[register], migrations=MIGRATIONS
    )


async def audit_rows(state: AppState, action: str, resource_id: UUID | None = None) -> list[AuditRecord]:
    async with state.sessions() as session:
        stmt = sa.select(AuditRecord).where(AuditRecord.action == action)  # type: ignore[arg-type]
        if resource_id is not None:
            stmt = stmt.where(AuditRecord.resource_id == str(resource_id))  # type: ignore[arg-type]
        return list((await session.execute(stmt)).scalars().all())
