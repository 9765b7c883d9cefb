"""What the data service knows about approved use cases (from usecase.approved)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime
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
    prompt_template: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    approved_by: str
    # The use case's team (usecase.approved): only its members (and admins) add data to it. A use case from before
    # teams has none and is its creator's (`owner`) alone.
    team: str | None = None
    owner: str | None = None
    approved_at: datetime
    # usecase.retired: the use case takes no new datasets, uploads or derived versions (what exists stays readable).
    retired_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    retired_reason: str | None = None
    # usecase.erased: every dataset of it was erased and it takes none again; its title and prompt template are gone.
    erased_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow)
    # The approval's trace context (usecase.approved): every version made for the use case links to it.
    trace_context: str | None = None
