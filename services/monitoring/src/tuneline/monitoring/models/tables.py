"""What monitoring knows about deployed models, learnt from deployment.updated."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class MonitoredModelRow(SQLModel, table=True):
    __tablename__ = "monitoring_models"

    model_name: str = Field(primary_key=True)
    usecase_id: UUID = Field(index=True)
    # The model's team (deployment.updated's, the registry's use case team): who sees its figures, alerts, drift,
    # quality and advice (tuneline.monitoring.models.access). None: not yet known, the admins' alone.
    team: str | None = Field(default=None, index=True)
    model_id: UUID
    deployment_id: UUID
    stable_version: str | None = None
    canary_version: str | None = None
    canary_weight: float = 0.0
    status: str
    deployed_at: datetime = Field(default_factory=utcnow, description="When the stable version last changed.")
    updated_at: datetime = Field(default_factory=utcnow)
