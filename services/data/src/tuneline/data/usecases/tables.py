"""What the data service knows about approved use cases (from usecase.approved)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class DataUseCase(SQLModel, table=True):
    __tablename__ = "data_usecases"

    usecase_id: UUID = Field(primary_key=True)
    title: str
    industry: str
    task_type: str
    base_model: str
    sensitivity: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    policy: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    labels: list[str] = Field(default_factory=list, sa_type=JSONB)
    approved_by: str
    approved_at: datetime
    updated_at: datetime = Field(default_factory=utcnow)
