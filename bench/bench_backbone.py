"""Event backbone benchmark: event hop latency and outbox relay throughput on the real broker and PostgreSQL.

1. Hop latency: the probe producer commits a transaction that writes one outbox row (`add_event`), one transaction
   at a time at a steady rate; the outbox relay sends it to Tansu; the probe consumer's handler runs in the other
   service (same process, separate app, schema, broker and relay). Latency = handler time (the `occurred_at` of the
   audit row the handler writes) − wall time right after the producer's commit, matched by use case id. It is split
   into commit → acknowledged by the broker (the outbox row's `sent_at`) and acknowledged → handler.
2. Relay throughput: N events written in bulk to a fresh schema, then one relay drains them; measured from relay
   start to the last row acknowledged. Side by side, the same payloads sent by a bare aiokafka producer (the
   broker's ceiling on this machine), so the relay's overhead shows as a ratio.

Targets (printed, not asserted): p99 hop ≤ 50 ms, relay ≥ 2,000 events/s.

    .venv/bin/python bench/bench_backbone.py                 # 1,000 events at 100/s, 20,000 bulk (~1-2 minutes)
    .venv/bin/python bench/bench_backbone.py --events 5000 --rate 200 --bulk 100000

PostgreSQL: --postgres-url, else the local server at 127.0.0.1:5432 when it answers, else an embedded one. A
scratch database is created and dropped; the Tansu broker is started and stopped (nothing is left running).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from tuneline.common.db import AuditRecord, OutboxRecord, create_engine, migrate, session_factory, transaction
from tuneline.common.events import USECASE_SUBMITTED, UseCaseSubmitted
from tuneline.common.infra import free_port, scratch_database, start_tansu
from tuneline.common.messaging import OutboxRelay, add_event, ensure_topics
from tuneline.common.settings import ServiceSettings
from tuneline.common.testing.helpers import running_app

ROOT = Path(__file__).resolve().parents[1]
PROBE_PATH = ROOT / "libs" / "common" / "tests" / "probe.py"

TARGET_P99_MS = 50.0
TARGET_RELAY_EPS = 2_000.0


def load_probe() -> Any:
    spec = importlib.util.spec_from_file_location("tuneline_bench_probe", PROBE_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------------------------
# Infrastructure
# ---------------------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _event(producer: str, usecase_id: UUID | None = None) -> UseCaseSubmitted:
    return UseCaseSubmitted(
        producer=producer,
        usecase_id=usecase_id or uuid4(),
        title="bench",
        industry="manufacturing",
        task_type="classification",
        submitted_by="bench",
    )


# ---------------------------------------------------------------------------------------------------------------
# 1. Hop latency
# ---------------------------------------------------------------------------------------------------------------


async def _seen_times(state: Any) -> dict[str, float]:
    async with state.sessions() as session:
        rows = await session.execute(
            sa.select(AuditRecord.resource_id, AuditRecord.occurred_at).where(AuditRecord.action == "thing.seen")  # type: ignore[arg-type]
        )
        return {rid: at.timestamp() for rid, at in rows.all()}


async def _sent_times(state: Any) -> dict[str, float]:
    async with state.sessions() as session:
        rows = await session.execute(
            sa.select(OutboxRecord.key, OutboxRecord.sent_at).where(OutboxRecord.sent_at.is_not(None))  # type: ignore[union-attr]
        )
        return {key: at.timestamp() for key, at in rows.all()}


async def _wait_seen(state: Any, ids: set[str], timeout_s: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout_s
    while True:
        seen = await _seen_times(state)
        if ids <= seen.keys():
            return seen
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(ids & seen.keys())}/{len(ids)} events reached the consumer")
        await asyncio.sleep(0.2)


async def bench_latency(probe: Any, base: dict[str, Any], events: int, rate: float) -> dict[str, float]:
    prod_settings = ServiceSettings(service_name="bench_producer", **base)
    cons_settings = ServiceSettings(service_name="bench_consumer", **base)
    producer, consumer = probe.producer_app(prod_settings), probe.consumer_app(cons_settings)
    async with running_app(producer), running_app(consumer):
        pstate, cstate = producer.state.tuneline, consumer.state.tuneline

        # Warm-up: the consumer group joins and every partition has seen traffic before measuring.
        warm = set()
        for _ in range(40):
            async with transaction(pstate.sessions) as session:
                event = _event(prod_settings.service_name)
                await add_event(session, USECASE_SUBMITTED, event)
            warm.add(str(event.usecase_id))
            await asyncio.sleep(0.02)
        await _wait_seen(cstate, warm, 60)

        committed: dict[str, float] = {}
        interval = 1.0 / rate
        start = time.perf_counter()
        late = 0
        for i in range(events):
            delay = start + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -interval:
                late += 1
            event = _event(prod_settings.service_name)
            async with transaction(pstate.sessions) as session:
                await add_event(session, USECASE_SUBMITTED, event)
            committed[str(event.usecase_id)] = time.time()
        send_seconds = time.perf_counter() - start
        seen = await _wait_seen(cstate, set(committed), 60)
        sent = await _sent_times(pstate)

    hops = [(seen[k] - t) * 1000 for k, t in committed.items()]
    to_broker = [(sent[k] - t) * 1000 for k, t in committed.items()]
    to_handler = [(seen[k] - sent[k]) * 1000 for k in committed]
    print(
        f"\n[hop latency] {events} events, one transaction each, at {rate:.0f}/s "
        f"(achieved {events / send_seconds:.0f}/s; {late} sent more than one interval late)"
    )
    print(f"  {'':28} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}  (ms)")
    for label, values in (
        ("commit -> handler", hops),
        ("  commit -> broker ack", to_broker),
        ("  broker ack -> handler", to_handler),
    ):
        print(
            f"  {label:28} {percentile(values, 50):8.1f} {percentile(values, 90):8.1f} "
            f"{percentile(values, 99):8.1f} {max(values):8.1f}"
        )
    return {"p50": percentile(hops, 50), "p99": percentile(hops, 99), "mean": statistics.fmean(hops)}


# ---------------------------------------------------------------------------------------------------------------
# 2. Relay throughput
# ---------------------------------------------------------------------------------------------------------------


async def bench_relay(probe: Any, base: dict[str, Any], bulk: int, write_batch: int = 1000) -> dict[str, float]:
    settings = ServiceSettings(service_name=f"bench_bulk_{secrets.token_hex(2)}", **base)
    await migrate(settings.database_url, settings.db_schema, probe.MIGRATIONS)
    engine = create_engine(settings.database_url, settings.db_schema)
    sessions = session_factory(engine)
    try:
        payloads: list[UseCaseSubmitted] = [_event(settings.service_name) for _ in range(bulk)]
        t0 = time.perf_counter()
        for lo in range(0, bulk, write_batch):
            async with transaction(sessions) as session:
                for event in payloads[lo : lo + write_batch]:
                    await add_event(session, USECASE_SUBMITTED, event)
        write_s = time.perf_counter() - t0

        relay = OutboxRelay(
            sessions,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            database_dsn=settings.database_url,
            schema=settings.db_schema,
            batch_size=settings.outbox_batch_size,
            poll_interval_s=settings.outbox_poll_interval_s,
        )
        t0 = time.perf_counter()
        await relay.start()
        try:
            while relay.sent_total < bulk:  # noqa: ASYNC110 - polling a counter the relay owns
                await asyncio.sleep(0.005)
            relay_s = time.perf_counter() - t0
        finally:
            await relay.stop()
        async with sessions() as session:
            pending = (
                await session.execute(sa.select(sa.func.count()).where(OutboxRecord.sent_at.is_(None)))  # type: ignore[union-attr]
            ).scalar_one()
        assert pending == 0, f"{pending} rows left unsent"
    finally:
        await engine.dispose()

    raw_s = await _raw_producer_seconds(settings.kafka_bootstrap_servers, payloads)
    relay_eps, raw_eps = bulk / relay_s, bulk / raw_s
    print(f"\n[outbox relay] {bulk} events written in bulk ({bulk / write_s:.0f} events/s into the outbox)")
    print(f"  relay (batch {settings.outbox_batch_size}): {relay_s:6.2f} s  {relay_eps:8.0f} events/s")
    print(
        f"  bare aiokafka producer:  {raw_s:6.2f} s  {raw_eps:8.0f} events/s   (relay/bare = {relay_eps / raw_eps:.2f})"
    )
    return {"relay_eps": relay_eps, "raw_eps": raw_eps}


async def _raw_producer_seconds(bootstrap: str, events: list[UseCaseSubmitted]) -> float:
    """The same payloads, keys and acks, straight from memory to the broker: the ceiling for the relay."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=1, max_batch_size=256 * 1024
    )
    await producer.start()
    try:
        encoded = [(e.model_dump_json().encode(), str(e.usecase_id).encode()) for e in events]
        t0 = time.perf_counter()
        futures = [await producer.send(USECASE_SUBMITTED.name, value=v, key=k) for v, k in encoded]
        await asyncio.gather(*futures)
        return time.perf_counter() - t0
    finally:
        await producer.stop()


# ---------------------------------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    probe = load_probe()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="tuneline-bench-") as tmp:
        work = Path(tmp)
        broker = await asyncio.to_thread(start_tansu, free_port(), work / "tansu.log")
        try:
            async with scratch_database(args.postgres_url, work) as database_url:
                base: dict[str, Any] = {
                    "environment": "development",
                    "database_url": database_url,
                    "kafka_bootstrap_servers": broker.bootstrap_servers,
                    "kafka_session_timeout_ms": 2000,  # only speeds up the group join before measuring
                    "object_store_url": (work / "objects").as_uri(),
                    "log_level": "WARNING",
                    "consumer_workers": args.consumer_workers,
                }
                if args.fetch_max_wait_ms is not None:
                    base["kafka_fetch_max_wait_ms"] = args.fetch_max_wait_ms
                print(
                    f"settings: fetch_max_wait_ms={ServiceSettings(**base).kafka_fetch_max_wait_ms}, "
                    f"outbox_batch_size={ServiceSettings(**base).outbox_batch_size}, "
                    f"consumer_workers={args.consumer_workers}"
                )
                await ensure_topics(broker.bootstrap_servers)
                latency = await bench_latency(probe, base, args.events, args.rate) if args.events else None
                relay = await bench_relay(probe, base, args.bulk) if args.bulk else None
        finally:
            broker.stop()
    print("\n[summary]")
    if latency:
        verdict = "meets" if latency["p99"] <= TARGET_P99_MS else "MISSES"
        print(
            f"  hop p50 {latency['p50']:.1f} ms, p99 {latency['p99']:.1f} ms  ({verdict} p99 ≤ {TARGET_P99_MS:.0f} ms)"
        )
    if relay:
        verdict = "meets" if relay["relay_eps"] >= TARGET_RELAY_EPS else "MISSES"
        print(f"  relay {relay['relay_eps']:.0f} events/s  ({verdict} ≥ {TARGET_RELAY_EPS:.0f} events/s)")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=1000, help="events for the hop-latency run (0 skips it)")
    p.add_argument("--rate", type=float, default=100.0, help="events per second for the hop-latency run")
    p.add_argument("--bulk", type=int, default=20_000, help="events for the relay-throughput run (0 skips it)")
    p.add_argument("--postgres-url", default=None, help="admin URL of a PostgreSQL to create the scratch database in")
    p.add_argument("--fetch-max-wait-ms", type=int, default=None, help="override the consumer fetch_max_wait_ms")
    p.add_argument("--consumer-workers", type=int, default=4, help="consumers per subscription (see settings)")
    return p.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
