"""Transactional outbox: events are rows written with the state change, and a relay sends them after commit.

`add_event` inserts the row and a `pg_notify` in the caller's transaction; PostgreSQL delivers the notification
only when that transaction commits, which wakes the relay at once (a poll interval is the fallback). The relay
claims pending rows with ``FOR UPDATE SKIP LOCKED`` (several replicas may run one each), sends them in a batch
without waiting for each acknowledgement in turn, marks the acknowledged ones sent and backs off the others.
Delivery is at least once: a crash between send and mark re-sends, and consumers drop the duplicate by event id.

A sent row is not deleted at once: it is kept for `retention_s` with the broker generation that acknowledged it
(`messaging.epoch`). When the service notices a new generation (the memory broker restarted and lost every
record), `republish_other_generations` makes the retained rows of earlier generations pending again, in their
original order, so nothing acknowledged by a broker that is gone is lost. Rows older than the window are pruned.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
import structlog
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.db import OutboxRecord, SessionFactory, transaction
from tuneline.common.events import E, Topic, utcnow
from tuneline.common.messaging.broker import JSON_HEADERS, trace_headers, with_trace_context
from tuneline.common.waiting import wait_event

log = structlog.get_logger(__name__)

OUTBOX_REPUBLISHED = Counter(
    "tuneline_outbox_republished_total",
    "Sent events queued again because the broker that acknowledged them was replaced (restarted empty)",
    ["schema"],
)

NOTIFY_CHANNEL_PREFIX = "tuneline_outbox_"
MAX_BACKOFF_S = 60.0


def notify_channel(schema: str) -> str:
    return NOTIFY_CHANNEL_PREFIX + schema


async def add_event(session: AsyncSession, topic: Topic[E], event: E) -> None:
    """Stage `event` for `topic` in the caller's transaction. It leaves only if that transaction commits."""
    if not isinstance(event, topic.model):
        raise TypeError(f"{type(event).__name__} cannot travel on {topic.name} (expects {topic.model.__name__})")
    key = topic.key_of(event)
    headers = trace_headers()
    session.add(
        OutboxRecord(
            event_id=event.event_id,
            topic=topic.name,
            key=key.decode() if key is not None else None,
            payload=with_trace_context(event, headers).model_dump_json(),
            headers=headers,
        )
    )
    await session.execute(
        sa.text("SELECT pg_notify(:prefix || current_schema(), '')"), {"prefix": NOTIFY_CHANNEL_PREFIX}
    )


def backoff_seconds(attempts: int) -> float:
    return min(MAX_BACKOFF_S, 0.5 * 2 ** max(0, attempts - 1))


class OutboxRelay:
    """Sends committed outbox rows to Kafka. Run one per service process (`start`/`stop`)."""

    def __init__(
        self,
        sessions: SessionFactory,
        *,
        bootstrap_servers: str,
        database_dsn: str,
        schema: str,
        batch_size: int = 500,
        poll_interval_s: float = 0.5,
        producer: AIOKafkaProducer | None = None,
        retention_s: float = 86_400,
    ) -> None:
        self._sessions = sessions
        self._bootstrap = bootstrap_servers
        self._dsn = database_dsn
        self._schema = schema
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._producer = producer
        self._own_producer = producer is None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self._retention_s = retention_s
        self._next_prune = 0.0
        self.sent_total = 0
        self.republished_total = 0
        #: The broker generation sends are acknowledged by (set by the service's `BrokerWatch`).
        self.epoch: str | None = None

    async def start(self) -> None:
        if self._producer is None:
            self._producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap,
                acks="all",
                enable_idempotence=False,
                linger_ms=1,
                max_batch_size=256 * 1024,
                client_id=f"tuneline-outbox-{self._schema}",
            )
            await self._producer.start()
        await self._listen()
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._schema}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
        if self._producer is not None and self._own_producer:
            await self._producer.stop()

    def wake(self) -> None:
        self._wake.set()

    async def _listen(self) -> None:
        try:
            self._listener = await asyncpg.connect(_plain_dsn(self._dsn))
            await self._listener.add_listener(notify_channel(self._schema), lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError) as exc:  # polling still delivers, only slower
            log.warning("outbox.listen.unavailable", error=str(exc))
            self._listener = None

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("outbox.relay.error", error=str(exc), exc_info=True)
                sent = 0
            if sent >= self._batch_size:
                continue  # more waiting: no sleep
            await self._prune_now_and_then()
            self._wake.clear()
            await wait_event(self._wake, self._poll_interval_s)

    async def relay_once(self) -> int:
        """Send one batch of due rows; returns how many were acknowledged by the broker."""
        assert self._producer is not None, "start() the relay first"
        async with transaction(self._sessions) as session:
            rows = (
                (
                    await session.execute(
                        sa.select(OutboxRecord)
                        .where(OutboxRecord.sent_at.is_(None), OutboxRecord.available_at <= utcnow())
                        .order_by(OutboxRecord.id)
                        .limit(self._batch_size)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            if not rows:
                return 0
            futures = []
            for row in rows:
                futures.append(await self._send(row))
            results = await asyncio.gather(*futures, return_exceptions=True)
            now = utcnow()
            sent_ids: list[int] = []
            for row, result in zip(rows, results, strict=True):
                if isinstance(result, BaseException):
                    row.attempts += 1
                    row.last_error = f"{type(result).__name__}: {result}"[:2000]
                    row.available_at = now + timedelta(seconds=backoff_seconds(row.attempts))
                    log.warning(
                        "outbox.publish.failed",
                        event_id=str(row.event_id),
                        topic=row.topic,
                        attempts=row.attempts,
                        error=row.last_error,
                    )
                else:
                    assert row.id is not None
                    sent_ids.append(row.id)
            if sent_ids:
                # One statement for the whole batch: a flush of one UPDATE per row cost more than the sends.
                await session.execute(
                    sa.update(OutboxRecord)
                    .where(OutboxRecord.id.in_(sent_ids))
                    .values(sent_at=now, broker_epoch=self.epoch)
                    .execution_options(synchronize_session=False)
                )
        sent = len(sent_ids)
        self.sent_total += sent  # counted once the marks are committed
        return sent

    async def republish_other_generations(self, epoch: str) -> int:
        """Make sent rows inside the retention window that an earlier broker generation acknowledged pending again.

        Called when `epoch` is found to be a new generation (and once at start: a broker may have restarted while
        this service was down). Returns how many rows will be sent again.
        """
        self.epoch = epoch
        cutoff = utcnow() - timedelta(seconds=self._retention_s)
        async with transaction(self._sessions) as session:
            result = await session.execute(
                sa.update(OutboxRecord)
                .where(
                    OutboxRecord.sent_at.is_not(None),
                    OutboxRecord.sent_at >= cutoff,
                    OutboxRecord.broker_epoch.is_not(None),
                    OutboxRecord.broker_epoch != epoch,
                )
                .values(sent_at=None, available_at=utcnow(), attempts=0)
                .execution_options(synchronize_session=False)
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            self.republished_total += count
            OUTBOX_REPUBLISHED.labels(self._schema).inc(count)
            log.warning("outbox.republish", schema=self._schema, events=count, epoch=epoch)
            self.wake()
        return count

    async def prune(self) -> int:
        """Delete sent rows older than the retention window; returns how many."""
        cutoff = utcnow() - timedelta(seconds=self._retention_s)
        async with transaction(self._sessions) as session:
            result = await session.execute(
                sa.delete(OutboxRecord).where(
                    OutboxRecord.sent_at.is_not(None),
                    OutboxRecord.sent_at < cutoff,
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _prune_now_and_then(self) -> None:
        loop_now = asyncio.get_running_loop().time()
        if loop_now < self._next_prune:
            return
        self._next_prune = loop_now + max(60.0, min(3600.0, self._retention_s / 10))
        pruned = await self.prune()
        if pruned:
            log.info("outbox.pruned", schema=self._schema, events=pruned)

    async def _send(self, row: OutboxRecord) -> asyncio.Future[Any]:
        assert self._producer is not None
        headers = {**JSON_HEADERS, **row.headers, "correlation_id": str(row.event_id)}
        try:
            return await self._producer.send(
                row.topic,
                value=row.payload.encode(),
                key=row.key.encode() if row.key else None,
                headers=_kafka_headers(headers),
            )
        except Exception as exc:  # e.g. broker unreachable at enqueue time: record as this row's failure
            failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            failed.set_exception(exc)
            return failed


def _kafka_headers(headers: Mapping[str, str]) -> list[tuple[str, bytes]]:
    return [(k, v.encode()) for k, v in headers.items()]


def _plain_dsn(url: str) -> str:
    """asyncpg wants postgresql:// without the SQLAlchemy driver suffix."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1).replace("postgres://", "postgresql://", 1)
