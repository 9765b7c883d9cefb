"""Reference profiles per dataset version (from dataset.ready) and the drift reports computed against them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class DatasetReferenceRow(SQLModel, table=True):
    __tablename__ = "monitoring_dataset_references"
    __table_args__ = (sa.Index("monitoring_dataset_references_usecase", "usecase_id", "ready_at"),)

    version_id: UUID = Field(primary_key=True)
    dataset_id: UUID
    usecase_id: UUID
    version_number: int
    record_format: str
    ready_at: datetime
    profile: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)


class DriftReportRow(SQLModel, table=True):
    __tablename__ = "monitoring_drift_reports"
    __table_args__ = (sa.Index("monitoring_drift_reports_model", "model_name", "created_at"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    model_name: str
    version: str
    usecase_id: UUID | None = None
    reference_version_id: UUID | None = None
    window_start: datetime
    window_end: datetime
    drifted: bool
    checks: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    created_at: datetime = Field(default_factory=utcnow)
