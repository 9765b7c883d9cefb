"""Registry tables for registered models, their versions, stage history and aliases."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


def _tz() -> Any:
    return Column(DateTime(timezone=True), nullable=False)


class ModelRow(SQLModel, table=True):
    __tablename__ = "registry_models"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str = Field(unique=True)
    usecase_id: UUID | None = Field(default=None, index=True)
    base_model: str
    task_type: str
    owner: str
    policy: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz())
    # The use case's team (evaluation.completed's): who may see and act on the model. Its versions, cards,
    # deployment and policy inherit it (one team per use case, so one column); tuneline.registry.models.access.
    # None: registered before models carried a team, the admins' alone.
    team: str | None = Field(default=None, index=True)


class VersionRow(SQLModel, table=True):
    __tablename__ = "registry_model_versions"
    __table_args__ = (UniqueConstraint("model_id", "version"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    model_id: UUID = Field(foreign_key="registry_models.id", index=True)
    version: int
    stage: str
    base_model: str
    adapter_uri: str | None = None
    method: str = "lora"
    job_id: UUID | None = None
    dataset_version_id: UUID | None = None
    evaluation_id: UUID | None = Field(default=None, unique=True)
    hyperparameters: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    evaluation: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    review: dict[str, Any] | None = Field(default=None, sa_type=JSONB)  # the latest verdict
    # Every reviewer's verdict, one per reviewer (the human-review policy counts distinct reviewers).
    reviews: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    card_details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    # The use case's PromptTemplate this version was trained and evaluated with; the card states it and serving
    # applies it (/v1/classify). None: a version registered before templates existed.
    prompt_template: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    report_uri: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_tz())
    # The trace context the version was registered under (evaluation.completed's): releases link to it.
    trace_context: str | None = None


class StageChangeRow(SQLModel, table=True):
    __tablename__ = "registry_stage_changes"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    version_id: UUID = Field(foreign_key="registry_model_versions.id", index=True)
    from_stage: str | None = None
    to_stage: str
    at: datetime = Field(sa_column=_tz())
    actor: str
    reason: str = ""


class AliasRow(SQLModel, table=True):
    __tablename__ = "registry_aliases"

    model_id: UUID = Field(foreign_key="registry_models.id", primary_key=True)
    alias: str = Field(primary_key=True)
    version_id: UUID = Field(foreign_key="registry_model_versions.id")
