"""The shell of a long-running worker process (training worker, evaluation runner): the same set-up everywhere.

Logs and traces like the API processes, migrates the service's schema, opens the database, runs its own outbox
relay (so the events the worker writes leave even when the service's API process is down) and stops cleanly on
SIGTERM/SIGINT. The service supplies only its loop: `body(sessions, stop)` runs until `stop` is set.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from tuneline.common.db import SessionFactory, create_engine, migrate, session_factory
from tuneline.common.messaging.epoch import start_broker_recovery
from tuneline.common.messaging.outbox import OutboxRelay
from tuneline.common.observability import configure_logging, configure_tracing
from tuneline.common.settings import ServiceSettings

WorkerBody = Callable[[SessionFactory, asyncio.Event], Awaitable[None]]


async def run_worker(settings: ServiceSettings, *, role: str, migrations: Path, body: WorkerBody) -> None:
    """Run `body` inside a worker process of `settings.service_name` (`role` names it in logs and traces)."""
    name = f"{settings.service_name}-{role}"
    configure_logging(name, settings.log_level, settings.log_file)
    configure_tracing(name, settings.otlp_endpoint, export_dir=settings.trace_export_dir)
    if settings.migrate_on_start:
        await migrate(settings.database_url, settings.db_schema, migrations)
    engine = create_engine(settings.database_url, settings.db_schema, pool_size=4)
    sessions = session_factory(engine)
    relay = OutboxRelay(
        sessions,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        database_dsn=settings.database_url,
        schema=settings.db_schema,
        batch_size=settings.outbox_batch_size,
        poll_interval_s=settings.outbox_poll_interval_s,
        retention_s=settings.outbox_retention_s,
    )
    watch = await start_broker_recovery(settings, relay=relay)
    await relay.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await body(sessions, stop)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await relay.stop()
        await watch.stop()
        await engine.dispose()
