"""Raw inference events (kept for the retention window) and the roll-up buckets built from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class InferenceEventRow(SQLModel, table=True):
    """One served request. Its event_id primary key doubles as the inbox: a redelivered event is not re-counted."""

    __tablename__ = "monitoring_inference_events"
    __table_args__ = (
        sa.Index("monitoring_inference_events_model_time", "model_name", "version", "occurred_at"),
        sa.Index("monitoring_inference_events_request", "request_id"),
        sa.Index("monitoring_inference_events_time", "occurred_at"),
    )

    event_id: UUID = Field(primary_key=True)
    request_id: str
    model_name: str
    version: str
    arm: str
    usecase_id: UUID | None = None
    status: str
    latency_ms: float
    tokens_in: int
    tokens_out: int
    caller: str | None = None
    prompt: str | None = Field(default=None, sa_type=sa.Text)
    output: str | None = Field(default=None, sa_type=sa.Text)
    occurred_at: datetime
    received_at: datetime = Field(default_factory=utcnow)


class RollupRow(SQLModel, table=True):
    """A roll-up bucket: figures as columns for queries, the mergeable sketches in `state` for later merges."""

    __tablename__ = "monitoring_rollups"
    __table_args__ = (
        sa.UniqueConstraint("model_name", "version", "arm", "bucket_start", name="monitoring_rollups_key"),
        sa.Index("monitoring_rollups_time", "bucket_start"),
        sa.Index("monitoring_rollups_usecase_time", "usecase_id", "bucket_start"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    model_name: str
    version: str
    arm: str
    bucket_start: datetime
    bucket_seconds: int
    usecase_id: UUID | None = None
    requests: int = 0
    errors: int = 0
    timeouts: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_p99_ms: float | None = None
    unique_callers: float = 0.0
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    updated_at: datetime = Field(default_factory=utcnow)


class ErasedVersionRow(SQLModel, table=True):
    """A model version whose logged requests were erased (its training data was): a request of it that arrives
    later (logged before the erasure, delivered after) is not stored."""

    __tablename__ = "monitoring_erased_versions"

    version: str = Field(primary_key=True)
    erasure_id: UUID
    erased_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
