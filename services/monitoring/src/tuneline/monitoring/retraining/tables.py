"""Retraining policies per use case and every decision that acted (the rate limiter's memory)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class RetrainPolicyRow(SQLModel, table=True):
    __tablename__ = "monitoring_retrain_policies"

    usecase_id: UUID = Field(primary_key=True)
    enabled: bool = True
    on_drift: bool = True
    on_quality_degradation: bool = True
    cooldown_seconds: int = 86_400
    max_actions: int = 3
    window_seconds: int = 7 * 86_400
    schedule_every_seconds: int | None = None
    updated_by: str
    updated_at: datetime = Field(default_factory=utcnow)


class RetrainActionRow(SQLModel, table=True):
    __tablename__ = "monitoring_retrain_actions"
    __table_args__ = (sa.Index("monitoring_retrain_actions_usecase", "usecase_id", "decided_at"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    usecase_id: UUID
    action: str
    trigger: str
    reason: str
    dataset_version_id: UUID | None = None
    decided_at: datetime
