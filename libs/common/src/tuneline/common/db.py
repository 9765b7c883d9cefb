"""PostgreSQL access: async SQLAlchemy/SQLModel on asyncpg, one schema per service, kernel tables, migrations.

Each service connects with ``search_path`` set to its own schema, so its tables (and the kernel tables below:
outbox, inbox, audit log) are unqualified in code and live in that schema. Alembic migrations are per service;
`migrate()` applies them at start or from the command line.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow
from tuneline.common.text import clean_before_flush


def to_asyncpg_url(url: str) -> str:
    """Accept postgres://, postgresql:// and postgresql+asyncpg:// URLs (also unix-socket ones)."""
    u = make_url(url.replace("postgres://", "postgresql://", 1))
    return u.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def create_engine(url: str, schema: str, *, pool_size: int = 10, **kwargs: Any) -> AsyncEngine:
    """Engine whose connections see `schema` first; the schema is created by `migrate()`.

    Its errors never carry the statement's bound values (``hide_parameters``): they reach logs, dead letters and
    events, and the values are record contents. The database's own message can still quote a value: describe
    errors with ``tuneline.common.redact.describe_error``.
    """
    # Looked up at call time: the SQLAlchemy instrumentation (observability) wraps the module's function.
    return sa_asyncio.create_async_engine(
        to_asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": {"search_path": f"{schema},public", "application_name": schema}},
        **kwargs,
        hide_parameters=True,
    )


SessionFactory = async_sessionmaker[AsyncSession]


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


# Text PostgreSQL refuses (NUL, lone surrogates) never fails a write: stripped and counted on every ORM flush.
sa.event.listen(Session, "before_flush", clean_before_flush)


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """The unit of work at a request or message boundary: commit on success, roll back on any error."""
    async with factory() as session, session.begin():
        yield session


# ---------------------------------------------------------------------------------------------------------------
# Kernel tables, present in every service's schema (created by `create_kernel_tables` in its first migration)
# ---------------------------------------------------------------------------------------------------------------


class OutboxRecord(SQLModel, table=True):
    """An event written in the same transaction as the state change that caused it; the relay sends it."""

    __tablename__ = "outbox_events"

    id: int | None = Field(default=None, primary_key=True)
    event_id: UUID = Field(unique=True)
    topic: str
    key: str | None = None
    payload: str = Field(sa_type=sa.Text)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSONB)
    created_at: datetime = Field(default_factory=utcnow)
    available_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    #: The broker generation (`messaging.epoch`) that acknowledged the send; a sent row acknowledged by an earlier
    #: generation is re-published while it is inside the retention window (a memory broker lost it on restart).
    broker_epoch: str | None = None


class InboxRecord(SQLModel, table=True):
    """An event id a consumer has processed; its presence makes a redelivery a no-op."""

    __tablename__ = "inbox_events"

    consumer: str = Field(primary_key=True)
    event_id: UUID = Field(primary_key=True)
    topic: str
    processed_at: datetime = Field(default_factory=utcnow)


class AuditRecord(SQLModel, table=True):
    """Who did what to which resource, when (every data operation and every decision)."""

    __tablename__ = "audit_log"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True)
    action: str
    resource_type: str
    resource_id: str = Field(index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    trace_id: str | None = None


class DeadLetterRecord(SQLModel, table=True):
    """A message a consumer could not process, kept in PostgreSQL (never only on the broker) until replayed."""

    __tablename__ = "dead_letters"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    original_topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    consumer_group: str
    reason: str = Field(sa_type=sa.Text)
    #: The message exactly as received (bytes: a payload may hold characters a text column refuses).
    payload: bytes = Field(sa_type=sa.LargeBinary)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSONB)
    replayed_at: datetime | None = None
    replay_count: int = 0


KERNEL_TABLES = (
    OutboxRecord.__table__,  # type: ignore[attr-defined]
    InboxRecord.__table__,  # type: ignore[attr-defined]
    AuditRecord.__table__,  # type: ignore[attr-defined]
    DeadLetterRecord.__table__,  # type: ignore[attr-defined]
)


def create_kernel_tables(op: Any) -> None:
    """Call from a service's first Alembic migration: creates outbox, inbox and audit tables in its schema."""
    bind = op.get_bind()
    for table in KERNEL_TABLES:
        table.create(bind=bind, checkfirst=True)
    op.execute(
        "CREATE INDEX IF NOT EXISTS outbox_events_pending ON outbox_events (available_at, id) WHERE sent_at IS NULL"
    )


def upgrade_kernel_resilience(op: Any) -> None:
    """Call from each service's `000N_resilience_messaging` migration: the outbox's broker generation and the
    dead-letter table. Idempotent, so a schema whose first migration already created the current kernel passes."""
    op.execute("ALTER TABLE outbox_events ADD COLUMN IF NOT EXISTS broker_epoch VARCHAR")
    op.execute("CREATE INDEX IF NOT EXISTS outbox_events_sent ON outbox_events (sent_at, id) WHERE sent_at IS NOT NULL")
    DeadLetterRecord.__table__.create(bind=op.get_bind(), checkfirst=True)  # type: ignore[attr-defined]


def downgrade_kernel_resilience(op: Any) -> None:
    DeadLetterRecord.__table__.drop(bind=op.get_bind(), checkfirst=True)  # type: ignore[attr-defined]
    op.execute("DROP INDEX IF EXISTS outbox_events_sent")
    op.execute("ALTER TABLE outbox_events DROP COLUMN IF EXISTS broker_epoch")


def drop_kernel_tables(op: Any) -> None:
    bind = op.get_bind()
    for table in reversed(KERNEL_TABLES):
        table.drop(bind=bind, checkfirst=True)


# ---------------------------------------------------------------------------------------------------------------
# Migrations
# ---------------------------------------------------------------------------------------------------------------


#: Alembic's `context` and `op` are process-wide proxies: two migrations running at once in one process (two
#: apps starting together) would overwrite each other's. Across processes the advisory lock serialises them.
_ALEMBIC_LOCK = threading.Lock()


def _alembic_config(url: str, schema: str, script_location: Path) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["tuneline_url"] = to_asyncpg_url(url)
    cfg.attributes["tuneline_schema"] = schema
    return cfg


async def migrate(url: str, schema: str, script_location: Path, revision: str = "head") -> None:
    """Create the schema if needed and upgrade it to `revision` with the service's Alembic scripts."""
    from alembic import command

    cfg = _alembic_config(url, schema, script_location)

    def upgrade() -> None:
        with _ALEMBIC_LOCK:
            command.upgrade(cfg, revision)

    await asyncio.to_thread(upgrade)


def run_migrations_online(context: Any, target_metadata: Any = None) -> None:
    """Body of every service's migrations/env.py: async engine, schema-scoped version table, one transaction."""
    cfg = context.config
    url: str = cfg.attributes["tuneline_url"]
    schema: str = cfg.attributes["tuneline_schema"]

    lock = sa.text("SELECT pg_advisory_xact_lock(hashtext(:s))").bindparams(s=f"migrate:{schema}")

    def do_run(connection: sa.Connection) -> None:
        # Two starters racing on CREATE SCHEMA IF NOT EXISTS can both miss it and one fails on the unique index.
        connection.execute(lock)
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.execute(sa.text(f'SET search_path TO "{schema}", public'))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=schema,
            include_schemas=False,
        )
        with context.begin_transaction():
            # Serialise concurrent starters of the same service (several replicas migrating at once).
            connection.execute(lock)
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=sa.pool.NullPool, hide_parameters=True)
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    asyncio.run(main())
