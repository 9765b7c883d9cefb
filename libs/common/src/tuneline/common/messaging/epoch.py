"""Broker generations: notice that the broker behind the bootstrap address is a new one, and recover.

The embedded broker keeps everything in memory: a restart loses every topic, record and committed offset, and
the clients reconnect to it without an error. Neither the cluster id (Tansu always says ``tansu_cluster``) nor an
admin offset listing (unsupported there) tells the new broker from the old one, so each generation is marked
with a record of its own: the earliest record of ``tuneline.broker-epoch`` partition 0 holds a random id, written
by whichever service first finds that partition empty. Every service reads the same earliest record, so they all
agree on the generation without coordinating; a restarted broker has an empty topic again, hence a new id.

`BrokerWatch` reads the generation every `broker_check_interval_s` and calls back when it changed. The service
then re-creates its topics, restarts its subscribers (they re-join their groups and, with no committed offsets
on the new broker, read from the earliest record) and re-publishes what its outbox sent to an earlier
generation within the retention window. Consumers' inboxes make the repeats harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from uuid import uuid4

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.structs import TopicPartition
from faststream.kafka import KafkaBroker
from prometheus_client import Counter

from tuneline.common.messaging.broker import ensure_topics
from tuneline.common.messaging.outbox import OutboxRelay
from tuneline.common.settings import ServiceSettings
from tuneline.common.waiting import wait_event

log = structlog.get_logger(__name__)

#: Internal marker topic, not an event topic: it carries one record per broker generation.
EPOCH_TOPIC = "tuneline.broker-epoch"
_TP = TopicPartition(EPOCH_TOPIC, 0)

BROKER_GENERATIONS = Counter(
    "tuneline_broker_generations_total", "New broker generations (restarts) this process noticed", ["client"]
)

OnNewEpoch = Callable[[str, str | None], Awaitable[None]]


class BrokerUnavailableError(RuntimeError):
    """The broker did not answer the generation check (down, or restarting)."""


class BrokerWatch:
    """Reads the broker generation at start and every `interval_s`; calls `on_new_epoch(new, old)` on a change."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        on_new_epoch: OnNewEpoch,
        interval_s: float = 2.0,
        client_id: str = "tuneline-epoch",
        request_timeout_s: float = 10.0,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._on_new_epoch = on_new_epoch
        self._interval_s = interval_s
        self._client_id = client_id
        self._timeout_s = request_timeout_s
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self.epoch: str | None = None
        #: New generations seen since start (each one a broker restart this process lived through).
        self.generations_seen = 0

    async def start(self) -> str:
        """Read the current generation (marking a fresh broker) and start watching; returns the generation."""
        self.epoch = await self.read_epoch()
        log.info("messaging.broker.epoch", epoch=self.epoch)
        self._task = asyncio.create_task(self._run(), name="broker-watch")
        return self.epoch

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close_clients()

    async def check_once(self) -> bool:
        """Read the generation; True (after the callback ran) when it is a new one."""
        current = await self.read_epoch()
        if current == self.epoch:
            return False
        previous, self.epoch = self.epoch, current
        self.generations_seen += 1
        BROKER_GENERATIONS.labels(self._client_id).inc()
        log.warning("messaging.broker.new_generation", epoch=current, previous=previous)
        await self._on_new_epoch(current, previous)
        return True

    async def read_epoch(self) -> str:
        try:
            return await asyncio.wait_for(self._read_or_mark(), self._timeout_s)
        except Exception as exc:
            # A client that talked to the previous broker may hold stale metadata: start clean next time.
            await self._close_clients()
            raise BrokerUnavailableError(f"{type(exc).__name__}: {exc}") from exc

    async def _run(self) -> None:
        while not self._stop.is_set():
            await wait_event(self._stop, self._interval_s)
            if self._stop.is_set():
                return
            try:
                await self.check_once()
            except asyncio.CancelledError:
                raise
            except BrokerUnavailableError as exc:
                log.info("messaging.broker.unavailable", error=str(exc))
            except Exception as exc:  # a failed recovery is retried at the next check
                log.error("messaging.broker.recovery_failed", error=str(exc), exc_info=True)

    async def _read_or_mark(self) -> str:
        value = await self._earliest()
        if value is None:
            await self._create_topic()
            producer = await self._producer_started()
            await producer.send_and_wait(EPOCH_TOPIC, uuid4().hex.encode(), partition=0)
            value = await self._earliest()  # another service may have marked it first: the earliest record wins
        if value is None:
            raise BrokerUnavailableError("the generation marker could not be read back")
        return value

    async def _earliest(self) -> str | None:
        consumer = await self._consumer_started()
        await consumer.seek_to_beginning(_TP)
        batch = await consumer.getmany(_TP, timeout_ms=1_000, max_records=1)
        records = batch.get(_TP, [])
        if not records or records[0].value is None:
            return None
        return bytes(records[0].value).decode()

    async def _create_topic(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, client_id=self._client_id)
        try:
            await admin.start()
            with contextlib.suppress(TopicAlreadyExistsError):
                # Never expire the marker: a deleted earliest record would read as a new generation.
                await admin.create_topics(
                    [NewTopic(EPOCH_TOPIC, 1, 1, topic_configs={"retention.ms": "-1", "retention.bytes": "-1"})]
                )
        finally:
            await admin.close()

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap, acks="all", enable_idempotence=False, client_id=self._client_id
            )
            await _started_or_stopped(producer)
            self._producer = producer
        return self._producer

    async def _consumer_started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap,
                group_id=None,
                enable_auto_commit=False,
                client_id=self._client_id,
                fetch_max_wait_ms=50,
            )
            await _started_or_stopped(consumer)
            consumer.assign([_TP])
            self._consumer = consumer
        return self._consumer

    async def _close_clients(self) -> None:
        consumer, producer = self._consumer, self._producer
        self._consumer = self._producer = None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()


async def _started_or_stopped(client: AIOKafkaProducer | AIOKafkaConsumer) -> None:
    """Start a client; one whose start failed or was cancelled is stopped, not left open."""
    try:
        await client.start()
    except BaseException:
        with contextlib.suppress(Exception):
            await client.stop()
        raise


async def restart_subscribers(broker: KafkaBroker) -> None:
    """Stop and start every subscriber: fresh consumers re-join their groups on the new broker.

    A consumer that lived through the restart keeps its old fetch positions and member id, and loops on
    heartbeat and commit errors instead of reading the re-published records.
    """
    for subscriber in broker.subscribers:
        with contextlib.suppress(Exception):
            await subscriber.stop()
        await subscriber.start()
    log.info("messaging.subscribers.restarted", subscribers=len(broker.subscribers))


async def start_broker_recovery(
    settings: ServiceSettings, *, relay: OutboxRelay | None = None, broker: KafkaBroker | None = None
) -> BrokerWatch:
    """Watch the broker's generation for this process; on a new one re-create the topics, restart `broker`'s
    subscribers and re-publish what `relay` sent to an earlier generation. Call before `relay.start()`: the rows it
    sends are then marked with the generation that acknowledged them."""

    async def recover(epoch: str, _previous: str | None) -> None:
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.kafka_topic_partitions,
            replication_factor=settings.kafka_replication_factor,
        )
        if broker is not None:
            await restart_subscribers(broker)
        if relay is not None:
            await relay.republish_other_generations(epoch)

    watch = BrokerWatch(
        settings.kafka_bootstrap_servers,
        on_new_epoch=recover,
        interval_s=settings.broker_check_interval_s,
        client_id=f"tuneline-epoch-{settings.service_name}",
    )
    epoch = await watch.start()
    if relay is not None:
        # The broker may have restarted while this process was down: its sends then belong to a lost generation.
        await relay.republish_other_generations(epoch)
    return watch
