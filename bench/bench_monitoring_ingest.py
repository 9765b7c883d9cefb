"""Monitoring ingest benchmark: inference events through the real broker into PostgreSQL roll-ups.

1. Throughput: the monitoring service runs (in-process app, real batch consumer, real PostgreSQL) and has consumed a
   warm-up event (so the consumer group join is not counted); then N inference.logged events are produced to
   Tansu by a bare aiokafka producer as fast as it goes (its rate is printed: the broker's ceiling here). Measured
   from the first send to the moment the stored roll-ups count all N requests. Side by side: the pure in-memory
   roll-up rate (the domain code without I/O), so the cost of the broker and storage shows as a ratio. (Timing from
   the first stored batch instead reads 0 events/s when one batch holds the whole backlog.)
2. Delay to the dashboard: while a steady background load runs, marker events for a fresh model are sent one at
   a time; the delay is from the send to the moment GET /metrics/models/{model}/current returns the figure.

Targets (printed, not asserted): throughput ≥ 5,000 events/s, dashboard delay ≤ 5 s.

    .venv/bin/python bench/bench_monitoring_ingest.py                  # 60,000 events, 15 markers (~1 minute)
    .venv/bin/python bench/bench_monitoring_ingest.py --events 200000 --markers 50 --load-rate 2000

An embedded PostgreSQL and a Tansu broker are started in a temporary directory and stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
from aiokafka import AIOKafkaProducer

from tuneline.common.events import INFERENCE_LOGGED, InferenceLogged
from tuneline.common.infra import free_port, start_embedded_postgres, start_tansu
from tuneline.common.messaging import ensure_topics
from tuneline.common.testing.helpers import bearer, running_app
from tuneline.monitoring.app import create_app
from tuneline.monitoring.rollups.accumulator import RollupAccumulator
from tuneline.monitoring.rollups.pricing import PriceTable
from tuneline.monitoring.rollups.service import observation_of
from tuneline.monitoring.settings import MonitoringSettings

TARGET_EPS = 5_000.0
TARGET_DELAY_S = 5.0


def make_event(model: str, i: int, occurred_at: datetime | None = None) -> InferenceLogged:
    return InferenceLogged(
        producer="bench",
        request_id=f"{model}-{i}",
        model_name=model,
        version_id=None,
        arm="canary" if i % 10 == 0 else "stable",
        latency_ms=20.0 + (i * 7919) % 500,
        tokens_in=50 + i % 200,
        tokens_out=10 + i % 50,
        status="error" if i % 50 == 0 else "ok",
        caller=f"key-{i % 97}",
        occurred_at=occurred_at or datetime.now(UTC),
    )


async def stored_requests(engine_url: str, schema: str, model: str) -> int:
    conn = await asyncpg.connect(engine_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        value = await conn.fetchval(
            f'SELECT coalesce(sum(requests), 0) FROM "{schema}".monitoring_rollups WHERE model_name = $1',  # noqa: S608
            model,
        )
        return int(value)
    finally:
        await conn.close()


async def produce(producer: AIOKafkaProducer, payloads: list[tuple[bytes, bytes]]) -> float:
    start = time.perf_counter()
    futures = [await producer.send(INFERENCE_LOGGED.name, value=v, key=k) for k, v in payloads]
    await asyncio.gather(*futures)
    return time.perf_counter() - start


def in_memory_rate(events: list[InferenceLogged]) -> float:
    accumulator = RollupAccumulator(PriceTable.from_mapping({"*": {"per_1k_input_tokens": 0.01}}))
    start = time.perf_counter()
    for event in events:
        accumulator.add(observation_of(event, None))
    accumulator.drain()
    return len(events) / (time.perf_counter() - start)


async def ingest_rate(settings: MonitoringSettings, producer: AIOKafkaProducer, n: int) -> dict[str, float]:
    """Produce n events to the running service; events/s from the first send until all n are stored, plus the
    producer's own rate and the in-memory roll-up rate of the same events."""
    await _warm_up(settings, producer)
    model = f"bench-{uuid4().hex[:6]}"
    events = [make_event(model, i) for i in range(n)]
    payloads = [(model.encode(), e.model_dump_json().encode()) for e in events]
    started = time.perf_counter()
    produce_seconds = await produce(producer, payloads)
    while True:
        count = await stored_requests(settings.database_url, settings.db_schema, model)
        if count >= n:
            break
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    assert count == n, f"stored {count} of {n}"
    return {
        "ingest_eps": n / elapsed,
        "seconds": elapsed,
        "produce_eps": n / produce_seconds,
        "memory_eps": in_memory_rate(events),
    }


async def _warm_up(settings: MonitoringSettings, producer: AIOKafkaProducer) -> None:
    """One event through the whole path, so the consumer group has joined and fetches before the clock starts."""
    model = f"warmup-{uuid4().hex[:6]}"
    await producer.send_and_wait(INFERENCE_LOGGED.name, value=make_event(model, 0).model_dump_json().encode())
    while True:
        if await stored_requests(settings.database_url, settings.db_schema, model) >= 1:
            return
        await asyncio.sleep(0.05)


async def dashboard_delays(
    settings: MonitoringSettings, producer: AIOKafkaProducer, client: object, markers: int, load_rate: float
) -> list[float]:
    stop = asyncio.Event()
    load_model = f"load-{uuid4().hex[:6]}"

    async def background_load() -> None:
        i = 0
        while not stop.is_set():
            await producer.send(INFERENCE_LOGGED.name, value=make_event(load_model, i).model_dump_json().encode())
            i += 1
            await asyncio.sleep(1.0 / load_rate)

    load = asyncio.create_task(background_load())
    headers = bearer(settings, "viewer")
    delays: list[float] = []
    try:
        for m in range(markers):
            model = f"marker-{uuid4().hex[:6]}-{m}"
            sent = time.perf_counter()
            await producer.send_and_wait(INFERENCE_LOGGED.name, value=make_event(model, 0).model_dump_json().encode())
            while True:
                response = await client.get(f"/metrics/models/{model}/current", headers=headers)  # type: ignore[attr-defined]
                if response.status_code == 200 and response.json()["items"]:
                    break
                await asyncio.sleep(0.05)
            delays.append(time.perf_counter() - sent)
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await load
    return delays


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="tuneline-bench-monitoring-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("TUNELINE_LOG_LEVEL", "WARNING")
        pg = await asyncio.to_thread(start_embedded_postgres, work / "pg", delete_on_stop=True)
        broker = await asyncio.to_thread(start_tansu, free_port(), work / "tansu.log")
        try:
            admin = pg.url.replace("postgresql+asyncpg://", "postgresql://", 1)
            name = f"bench_monitoring_{secrets.token_hex(3)}"
            conn = await asyncpg.connect(admin)
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()
            base, _, query = pg.url.partition("?")
            url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
            settings = MonitoringSettings(
                environment="test",
                log_level="WARNING",
                database_url=url,
                kafka_bootstrap_servers=broker.bootstrap_servers,
                kafka_session_timeout_ms=2000,
                kafka_fetch_max_wait_ms=10,
                object_store_url=(work / "objects").as_uri(),
                run_background_loops=False,
                ingest_max_batch=args.batch,
                ingest_batch_timeout_ms=50,
                price_table={"*": {"per_1k_input_tokens": 0.01, "per_1k_output_tokens": 0.02}},
            )
            await ensure_topics(settings.kafka_bootstrap_servers)
            producer = AIOKafkaProducer(
                bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", linger_ms=5, max_batch_size=256_000
            )
            await producer.start()
            app = create_app(settings)
            try:
                async with running_app(app) as client:
                    figures = await ingest_rate(settings, producer, args.events)
                    delays = await dashboard_delays(settings, producer, client, args.markers, args.load_rate)
            finally:
                await producer.stop()
        finally:
            broker.stop()
            pg.stop()

    print(f"\ningest throughput, {args.events:,} events, batch {args.batch}")
    print(
        f"  through broker into PostgreSQL roll-ups : {figures['ingest_eps']:>10,.0f} events/s"
        f"  (target ≥ {TARGET_EPS:,.0f})"
    )
    print(f"  bare producer into the broker (ceiling) : {figures['produce_eps']:>10,.0f} events/s")
    print(f"  in-memory roll-up only (no I/O)         : {figures['memory_eps']:>10,.0f} events/s")
    print(f"  ratio ingest / producer ceiling         : {figures['ingest_eps'] / figures['produce_eps']:>10.2f}")
    print(f"  ratio ingest / in-memory roll-up        : {figures['ingest_eps'] / figures['memory_eps']:>10.3f}")
    print(f"  all {args.events:,} stored {figures['seconds']:.2f} s after the first send")
    print(f"\nevent → dashboard figure delay, {len(delays)} markers under {args.load_rate:.0f} events/s load")
    print(
        f"  p50 {statistics.median(delays):.3f} s   p95 {sorted(delays)[max(0, int(0.95 * len(delays)) - 1)]:.3f} s"
        f"   max {max(delays):.3f} s   (target ≤ {TARGET_DELAY_S:.0f} s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--batch", type=int, default=5_000, help="ingest_max_batch")
    parser.add_argument("--markers", type=int, default=15)
    parser.add_argument("--load-rate", type=float, default=500.0, help="background events/s during the delay test")
    asyncio.run(main(parser.parse_args()))
