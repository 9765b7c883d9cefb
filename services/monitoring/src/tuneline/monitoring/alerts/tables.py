"""Alert rules people configure and the alerts they (and the built-in canary guard) raise."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class AlertRuleRow(SQLModel, table=True):
    __tablename__ = "monitoring_alert_rules"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str
    metric: str
    comparator: str
    threshold: float
    window_seconds: int
    severity: str
    min_samples: int = 1
    model_name: str | None = None
    version: str | None = None
    arm: str | None = None
    enabled: bool = True
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AlertRow(SQLModel, table=True):
    __tablename__ = "monitoring_alerts"
    __table_args__ = (
        # At most one open alert per fingerprint: the database enforces the dedup even across replicas.
        sa.Index(
            "monitoring_alerts_open_fingerprint",
            "fingerprint",
            unique=True,
            postgresql_where=sa.text("state <> 'resolved'"),
        ),
        sa.Index("monitoring_alerts_state_time", "state", "fired_at"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    fingerprint: str
    source: str
    title: str
    severity: str
    model_name: str
    version: str
    arm: str
    state: str
    message: str
    value: float | None = None
    threshold: float | None = None
    occurrences: int = 1
    fired_at: datetime
    last_seen_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
