"""Registry table for deployments: the traffic plan of each served model and its last known health."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class DeploymentRow(SQLModel, table=True):
    __tablename__ = "registry_deployments"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    model_id: UUID = Field(foreign_key="registry_models.id", unique=True)
    stable_version_id: UUID = Field(foreign_key="registry_model_versions.id")
    canary_version_id: UUID | None = Field(default=None, foreign_key="registry_model_versions.id")
    canary_weight: float = 0.0
    previous_version_id: UUID | None = Field(default=None, foreign_key="registry_model_versions.id")
    status: str = "deploying"  # deploying, healthy, degraded, failed, stopped
    detail: str | None = None
    endpoint: str | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
