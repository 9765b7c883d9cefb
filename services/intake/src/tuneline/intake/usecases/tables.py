"""Intake's tables: use cases, their comments, their timeline of lifecycle events and erased use cases' tombstones."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class UseCaseRow(SQLModel, table=True):
    __tablename__ = "intake_usecases"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    title: str
    industry: str | None = None
    business_unit: str | None = None
    status: str = "draft"
    submitter: str
    # The creator's team: the use case and everything made for it (datasets, jobs, evaluations) belong to it.
    team: str | None = Field(default=None, index=True)
    form: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    # Qualification of the complete form (costs, checklist, decision, RICE); null while a draft is incomplete.
    assessment: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    rice_score: float | None = None
    rice_overrides: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    recommended_approach: str | None = None
    # Folded view of other services' events (see progress.py): stage, dataset, job, models, deployment, ...
    progress: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    stage: str | None = None
    last_event_at: datetime | None = None
    decision_reason: str | None = Field(default=None, sa_type=sa.Text)
    decided_by: str | None = None
    decided_at: datetime | None = None
    source_system: str | None = None
    external_ref: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CommentRow(SQLModel, table=True):
    __tablename__ = "intake_comments"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    usecase_id: UUID = Field(foreign_key="intake_usecases.id")
    author: str
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow)


class TimelineRow(SQLModel, table=True):
    __tablename__ = "intake_timeline"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    usecase_id: UUID = Field(foreign_key="intake_usecases.id")
    event_id: UUID = Field(unique=True)
    type: str
    occurred_at: datetime
    producer: str
    actor: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    recorded_at: datetime = Field(default_factory=utcnow)


class UseCaseErasureRow(SQLModel, table=True):
    """The tombstone of an erased use case: ids, team, who, when and why, never content (its title, form, comments
    and timeline are deleted with it)."""

    __tablename__ = "intake_usecase_erasures"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    usecase_id: UUID = Field(unique=True)
    team: str | None = None
    status_before: str
    created_at: datetime  # the use case's
    reason: str = Field(sa_type=sa.Text)
    erased_by: str
    erased_at: datetime = Field(default_factory=utcnow)
    # What intake deleted, by kind (usecases, comments, timeline, outbox, dead_letters).
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONB)
    # dataset id -> the data service's erasure id, learnt from dataset.erased (GET /datasets/{id}/erasure reports it).
    datasets: dict[str, str] = Field(default_factory=dict, sa_type=JSONB)
