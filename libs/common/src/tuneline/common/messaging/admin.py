"""`/admin/deadletters` on every service: list the dead letters of this service's consumers and replay them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from tuneline.common.app import SessionDep
from tuneline.common.auth import Principal, Role, audit, require_roles
from tuneline.common.db import DeadLetterRecord
from tuneline.common.messaging import deadletters

AdminUser = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


class DeadLetterOut(BaseModel):
    """A dead letter without its payload (record contents stay out of listings and logs)."""

    id: UUID
    created_at: datetime
    original_topic: str
    partition: int | None
    offset: int | None
    key: str | None
    consumer_group: str
    reason: str
    payload_bytes: int = Field(description="Size of the stored original message.")
    replayed_at: datetime | None
    replay_count: int

    @classmethod
    def of(cls, row: DeadLetterRecord) -> DeadLetterOut:
        return cls(
            id=row.id,
            created_at=row.created_at,
            original_topic=row.original_topic,
            partition=row.partition,
            offset=row.offset,
            key=row.key,
            consumer_group=row.consumer_group,
            reason=row.reason,
            payload_bytes=len(row.payload),
            replayed_at=row.replayed_at,
            replay_count=row.replay_count,
        )


class ReplayedOut(BaseModel):
    replayed: list[UUID] = Field(description="Dead letters queued again for their original topics.")


def dead_letter_router() -> APIRouter:
    router = APIRouter(prefix="/admin/deadletters", tags=["operations"])

    @router.get("", summary="Dead letters of this service's consumers, newest first (admin)")
    async def list_(
        session: SessionDep,
        _: AdminUser,
        replayed: Annotated[bool | None, Query(description="true: replayed ones; false: not yet replayed")] = None,
        topic: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[DeadLetterOut]:
        rows = await deadletters.list_dead_letters(session, replayed=replayed, topic=topic, limit=limit)
        return [DeadLetterOut.of(r) for r in rows]

    @router.post("/{letter_id}/replay", status_code=202, summary="Re-publish one dead letter (admin)")
    async def replay_one(letter_id: UUID, session: SessionDep, user: AdminUser) -> DeadLetterOut:
        row = await deadletters.replay(session, letter_id)
        await audit(session, user, "deadletter.replayed", "dead_letter", letter_id, topic=row.original_topic)
        return DeadLetterOut.of(row)

    @router.post("/replay", status_code=202, summary="Re-publish every dead letter not replayed yet (admin)")
    async def replay_all(
        session: SessionDep,
        user: AdminUser,
        topic: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    ) -> ReplayedOut:
        ids = await deadletters.replay_pending(session, topic=topic, limit=limit)
        for letter_id in ids:
            await audit(session, user, "deadletter.replayed", "dead_letter", letter_id)
        return ReplayedOut(replayed=ids)

    return router
