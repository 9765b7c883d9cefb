"""The gateway's own state: which dataset version an OpenAI file is, which training job an OpenAI job is."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


def _tz() -> Any:
    return Column(DateTime(timezone=True), nullable=False)


class OpenAIFileRow(SQLModel, table=True):
    __tablename__ = "registry_openai_files"

    id: str = Field(primary_key=True)  # file-<hex>
    owner: str
    usecase_id: UUID
    dataset_id: UUID
    version_id: UUID | None = None  # None when the data service rejected the file
    version_number: int | None = None
    filename: str
    purpose: str
    bytes: int
    status: str  # processed | error
    status_details: str | None = None
    content_key: str  # the uploaded bytes in the registry's object store, for /content
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz())


class OpenAIJobRow(SQLModel, table=True):
    __tablename__ = "registry_openai_jobs"
    __table_args__ = (UniqueConstraint("owner", "idempotency_key", name="registry_openai_jobs_idempotency"),)

    id: str = Field(primary_key=True)  # ftjob-<hex>
    owner: str
    idempotency_key: str | None = None
    key_prefix: str | None = None  # the Tuneline key that created the job: its scope gains the tuned model
    training_job_id: UUID = Field(unique=True)
    usecase_id: UUID
    model: str
    training_file: str
    validation_file: str | None = None
    hyperparameters: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    suffix: str | None = None
    seed: int
    metadata_: dict[str, str] | None = Field(default=None, sa_type=JSONB)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz())
