"""Inbox: a consumer records each event id it processed in the same transaction as its effects."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.db import InboxRecord
from tuneline.common.events import utcnow


async def claim_event(session: AsyncSession, consumer: str, event_id: UUID, topic: str) -> bool:
    """True the first time `consumer` sees `event_id`; False for a redelivery (then do nothing).

    The row is written inside the caller's transaction: if the handler fails and rolls back, the claim goes too,
    so the redelivered event is processed again.
    """
    stmt = (
        insert(InboxRecord)
        .values(consumer=consumer, event_id=event_id, topic=topic, processed_at=utcnow())
        .on_conflict_do_nothing()
        .returning(InboxRecord.event_id)
    )
    result = await session.execute(stmt)
    return result.first() is not None
