"""Dead letters: messages a consumer could not process, kept in the service's own PostgreSQL schema.

PostgreSQL is the record, not the broker (a memory broker forgets on restart, and a broker that refuses the
dead letter would leave it only in a log line). The row and a `DeadLettered` event for observers are written in
one transaction; the event leaves through the outbox like any other. An operator lists the rows and replays
them (admin API `/admin/deadletters`, `tuneline deadletter`): a replay re-publishes the original message,
byte for byte with its key, to its original topic through the outbox. Every consumer group of that topic sees
it again; the groups that had processed it drop it by event id (inbox).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.db import DeadLetterRecord, OutboxRecord, SessionFactory, transaction
from tuneline.common.errors import Conflict, NotFound
from tuneline.common.events import DEAD_LETTER, DeadLettered, utcnow
from tuneline.common.messaging.outbox import NOTIFY_CHANNEL_PREFIX, add_event

log = structlog.get_logger(__name__)

#: Name of the FastStream context entry holding a service's `DeadLetterStore` (set by `create_service_app`).
CONTEXT_KEY = "tuneline_dead_letters"
#: Header a replayed message carries: the id of the dead letter it came from.
REPLAY_HEADER = "tuneline-replay-of"


class DeadLetterStore:
    """Writes a dead letter and its `DeadLettered` event in one transaction of the service's schema."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def store(self, record: DeadLetterRecord, letter: DeadLettered) -> None:
        async with transaction(self._sessions) as session:
            session.add(record)
            await add_event(session, DEAD_LETTER, letter)


async def list_dead_letters(
    session: AsyncSession, *, replayed: bool | None = None, topic: str | None = None, limit: int = 100
) -> Sequence[DeadLetterRecord]:
    stmt = sa.select(DeadLetterRecord).order_by(DeadLetterRecord.created_at.desc()).limit(limit)
    if replayed is not None:
        column = DeadLetterRecord.replayed_at
        stmt = stmt.where(column.is_not(None) if replayed else column.is_(None))
    if topic is not None:
        stmt = stmt.where(DeadLetterRecord.original_topic == topic)
    return (await session.execute(stmt)).scalars().all()


async def replay(session: AsyncSession, letter_id: UUID) -> DeadLetterRecord:
    """Queue the dead letter's original message for its original topic (sent after the caller commits)."""
    record = (
        await session.execute(sa.select(DeadLetterRecord).where(DeadLetterRecord.id == letter_id).with_for_update())
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"dead letter {letter_id} not found")
    try:
        payload = record.payload.decode()
    except UnicodeDecodeError as exc:
        raise Conflict(f"dead letter {letter_id} is not UTF-8 text (byte {exc.start}); it cannot be replayed") from exc
    if "\x00" in payload:
        raise Conflict(f"dead letter {letter_id} holds a NUL character; it cannot be replayed")
    session.add(
        OutboxRecord(
            event_id=uuid4(),  # the outbox row's own id; the payload keeps its event id for the inboxes
            topic=record.original_topic,
            key=record.key,
            payload=payload,
            headers={**record.headers, REPLAY_HEADER: str(record.id)},
        )
    )
    await session.execute(
        sa.text("SELECT pg_notify(:prefix || current_schema(), '')"), {"prefix": NOTIFY_CHANNEL_PREFIX}
    )
    record.replayed_at = utcnow()
    record.replay_count += 1
    log.info("messaging.deadletter.replayed", dead_letter_id=str(record.id), topic=record.original_topic)
    return record


async def replay_pending(session: AsyncSession, *, topic: str | None = None, limit: int = 1000) -> list[UUID]:
    """Replay every dead letter not yet replayed (oldest first, at most `limit`); returns their ids."""
    stmt = (
        sa.select(DeadLetterRecord.id)
        .where(DeadLetterRecord.replayed_at.is_(None))
        .order_by(DeadLetterRecord.created_at)
        .limit(limit)
    )
    if topic is not None:
        stmt = stmt.where(DeadLetterRecord.original_topic == topic)
    ids = list((await session.execute(stmt)).scalars().all())
    for letter_id in ids:
        await replay(session, letter_id)
    return ids
