"""Inference records to Kafka, published from the Ray router replicas to the monitoring topic, without loss.

The router has no database, so inference logs cannot use the services' transactional outbox; this sink gives
them the same guarantees in memory, within bounds:

- A record waits in a queue until the broker acknowledges it. A broker that is down or restarting delays
  records (the sender retries with backoff and a fresh producer); it never drops them. The queue holds at most
  `max_pending` records: past that the oldest waiting record is dropped and counted, so a long outage costs
  bounded memory and the loss is visible (`tuneline_inference_logs_total{outcome="dropped_overflow"}`).
- An acknowledged record is kept for `retention_s` (at most `max_retained` records) with the broker generation
  that acknowledged it (`messaging.epoch`). When the generation changes — the memory-only embedded broker
  restarted and lost every record — the retained records of earlier generations are sent again, in order.
- Each record becomes its `InferenceLogged` event once, so a repeat carries the same event id and monitoring's
  ingest (``ON CONFLICT (event_id)``) counts it once.
- `close()` (replica shutdown) flushes what waits, for at most `flush_timeout_s`, and counts what it could not send.

Plain acks=all producer: the idempotent producer fails on Tansu (TRAPS.md). Records are batched by the producer
(linger) so a busy router does not pay one broker round trip per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tuneline.common.events import INFERENCE_LOGGED, InferenceLogged
from tuneline.common.messaging.epoch import BrokerUnavailableError, BrokerWatch
from tuneline.common.waiting import wait_event
from tuneline.registry.serving.records import InferenceRecord

log = logging.getLogger("tuneline.registry.serving")

JSON_HEADERS = [("content-type", b"application/json")]
MAX_BACKOFF_S = 10.0
MAX_BATCH = 5_000  # records sent per round; each round waits for all of its acknowledgements


def to_event(record: InferenceRecord, producer: str) -> InferenceLogged:
    return InferenceLogged(
        producer=producer,
        occurred_at=record.occurred_at,
        request_id=record.request_id,
        model_name=record.model_name,
        version_id=_uuid(record.version_id),
        arm="canary" if record.arm == "canary" else "stable",
        latency_ms=record.latency_ms,
        tokens_in=record.tokens_in,
        tokens_out=record.tokens_out,
        status=record.status,
        caller=record.caller,
        prompt_chars=record.prompt_chars,
        prompt=record.prompt,
        output=record.output,
    )


@dataclass
class _Sent:
    key: bytes
    value: bytes
    acked_at: float
    generation: str | None


class _Outcomes:
    """Counts per outcome: on the sink (tests, logs) and, inside a Ray replica, as Ray metrics for Prometheus."""

    NAMES = ("sent", "resent", "retried", "dropped_overflow", "dropped_shutdown")

    def __init__(self) -> None:
        self.counts = dict.fromkeys(self.NAMES, 0)
        self._ray_counter: Any = None
        with contextlib.suppress(Exception):  # outside a Ray worker (tests, tools) the plain counts suffice
            import ray

            if ray.is_initialized():
                from ray.util.metrics import Counter

                self._ray_counter = Counter(
                    "tuneline_inference_logs_total",
                    description="Inference records by delivery outcome (sent, resent after a broker restart, "
                    "retried, dropped)",
                    tag_keys=("outcome",),
                )

    def add(self, outcome: str, n: int = 1) -> None:
        if n <= 0:
            return
        self.counts[outcome] += n
        if self._ray_counter is not None:
            with contextlib.suppress(Exception):
                self._ray_counter.inc(n, tags={"outcome": outcome})


class KafkaInferenceSink:
    def __init__(
        self,
        bootstrap_servers: str,
        producer: str = "registry",
        linger_ms: int = 20,
        *,
        max_pending: int = 100_000,
        retention_s: float = 600.0,
        max_retained: int = 200_000,
        broker_check_interval_s: float = 2.0,
        flush_timeout_s: float = 5.0,
        send_timeout_s: float = 10.0,
    ) -> None:
        if max_pending < 1 or max_retained < 0:
            raise ValueError("max_pending must be >= 1 and max_retained >= 0")
        self._servers = bootstrap_servers
        self._producer_name = producer
        self._linger_ms = linger_ms
        self._max_pending = max_pending
        self._retention_s = retention_s
        self._max_retained = max_retained
        self._check_interval_s = broker_check_interval_s
        self._flush_timeout_s = flush_timeout_s
        self._send_timeout_s = send_timeout_s
        self._pending: deque[tuple[bytes, bytes]] = deque()
        self._retained: deque[_Sent] = deque()
        self._producer: Any = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        self._sender: asyncio.Task[None] | None = None
        self._watch: BrokerWatch | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self.generation: str | None = None
        self.outcomes = _Outcomes()

    @property
    def waiting(self) -> int:
        """Records not yet acknowledged by the broker."""
        return len(self._pending)

    async def emit(self, record: InferenceRecord) -> None:
        """Queue the record for delivery; returns at once (delivery is the sender's job)."""
        if self._closing:
            self.outcomes.add("dropped_shutdown")
            log.warning("registry.inference.dropped reason=shutdown request_id=%s", record.request_id)
            return
        event = to_event(record, self._producer_name)
        if len(self._pending) >= self._max_pending:
            self._pending.popleft()
            self.outcomes.add("dropped_overflow")
            dropped = self.outcomes.counts["dropped_overflow"]
            if dropped in (1, 10, 100) or not dropped % 1000:  # a long outage logs a few lines, not one per request
                log.warning(
                    "registry.inference.dropped reason=overflow waiting=%d dropped=%d",
                    len(self._pending),
                    dropped,
                )
        self._pending.append((INFERENCE_LOGGED.key_of(event), event.model_dump_json().encode()))
        self._idle.clear()
        self._ensure_running()
        self._wake.set()

    async def flush(self, timeout_s: float | None = None) -> bool:
        """Wait until every queued record is acknowledged; False when `timeout_s` passed first."""
        if not self._pending:
            return True
        self._ensure_running()
        return await wait_event(self._idle, timeout_s if timeout_s is not None else self._flush_timeout_s)

    async def close(self) -> None:
        if self._sender is not None and self._pending and not await self.flush(self._flush_timeout_s):
            log.warning("registry.inference.flush_incomplete waiting=%d", len(self._pending))
        self._closing = True
        lost = len(self._pending)
        self._pending.clear()
        self.outcomes.add("dropped_shutdown", lost)
        for task in (self._sender, self._watch_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._sender = self._watch_task = None
        if self._watch is not None:
            await self._watch.stop()
            self._watch = None
        await self._close_producer()

    # -- the sender -------------------------------------------------------------------------------------------

    def _ensure_running(self) -> None:
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._send_loop(), name="inference-sink")

    async def _send_loop(self) -> None:
        backoff = 0.2
        while not self._closing:
            if not self._pending:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = list(itertools.islice(self._pending, MAX_BATCH))
            generation = self.generation
            try:
                producer = await self._started()
                futures = [
                    await producer.send(INFERENCE_LOGGED.name, value, key=key, headers=JSON_HEADERS)
                    for key, value in batch
                ]
                await asyncio.wait_for(asyncio.gather(*futures), self._send_timeout_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker is down or restarting: keep the records, retry with a fresh client
                self.outcomes.add("retried", len(batch))
                log.warning(
                    "registry.inference.send_failed waiting=%d retry_in_s=%.1f error=%s",
                    len(self._pending),
                    backoff,
                    f"{type(exc).__name__}: {exc}",
                )
                await self._close_producer()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            backoff = 0.2
            if self.generation != generation and generation is not None:
                # The broker was replaced while the batch was in flight: which one acknowledged it is unknown,
                # so it goes again (a repeat costs nothing: same event ids).
                self.outcomes.add("resent", len(batch))
                continue
            self._acknowledged(batch, generation)

    def _acknowledged(self, batch: list[tuple[bytes, bytes]], generation: str | None) -> None:
        # Records emitted (or dropped for overflow) while the batch was in flight changed the queue's head only
        # by appends, or by removing from the front; drop exactly what was acknowledged, by identity.
        acked = {id(item) for item in batch}
        now = time.monotonic()
        kept: deque[tuple[bytes, bytes]] = deque()
        for item in self._pending:
            if id(item) in acked:
                self._retained.append(_Sent(item[0], item[1], now, generation))
            else:
                kept.append(item)
        self._pending = kept
        self.outcomes.add("sent", len(batch))
        self._prune_retained(now)
        if not self._pending:
            self._idle.set()

    def _prune_retained(self, now: float) -> None:
        while self._retained and (
            len(self._retained) > self._max_retained or now - self._retained[0].acked_at > self._retention_s
        ):
            self._retained.popleft()

    # -- broker generations -----------------------------------------------------------------------------------

    async def _started(self) -> Any:
        if self._watch_task is None:
            self._watch = BrokerWatch(
                self._servers,
                on_new_epoch=self._on_new_generation,
                interval_s=self._check_interval_s,
                client_id=f"tuneline-epoch-{self._producer_name}-router",
            )
            self._watch_task = asyncio.get_running_loop().create_task(self._watch_generations())
        if self._producer is None:
            from aiokafka import AIOKafkaProducer

            producer = AIOKafkaProducer(
                bootstrap_servers=self._servers,
                acks="all",
                enable_idempotence=False,
                linger_ms=self._linger_ms,
                request_timeout_ms=int(self._send_timeout_s * 1000),
            )
            await producer.start()
            self._producer = producer
        return self._producer

    async def _watch_generations(self) -> None:
        assert self._watch is not None
        backoff = self._check_interval_s
        while self.generation is None and not self._closing:
            try:
                self.generation = await self._watch.start()
            except BrokerUnavailableError as exc:
                log.info("registry.inference.generation_unknown error=%s", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def _on_new_generation(self, generation: str, previous: str | None) -> None:
        self.generation = generation
        earlier = [s for s in self._retained if s.generation != generation]
        if not earlier:
            return
        self._retained = deque(s for s in self._retained if s.generation == generation)
        # Before whatever waits now: the monitoring topic keeps per-model order within a generation.
        self._pending.extendleft((s.key, s.value) for s in reversed(earlier))
        self.outcomes.add("resent", len(earlier))
        log.warning(
            "registry.inference.republishing records=%d generation=%s previous=%s", len(earlier), generation, previous
        )
        await self._close_producer()  # its metadata belongs to the broker that is gone
        self._idle.clear()
        self._ensure_running()
        self._wake.set()

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
