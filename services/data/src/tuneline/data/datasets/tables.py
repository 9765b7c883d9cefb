"""Datasets, their immutable versions, and uploads (the resumable, queued path into a first version)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class Dataset(SQLModel, table=True):
    __tablename__ = "data_datasets"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    usecase_id: UUID = Field(index=True)
    name: str
    description: str | None = None
    owner: str = Field(index=True, description="Subject of the data owner who created it.")
    team: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    latest_version_id: UUID | None = None
    ready_version_id: UUID | None = None


class DatasetVersion(SQLModel, table=True):
    """Immutable: content (by hash), reports and splits never change once written."""

    __tablename__ = "data_dataset_versions"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "number", name="data_dataset_versions_number"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    dataset_id: UUID = Field(index=True)
    number: int
    parent_id: UUID | None = None
    operation: str = Field(description="upload, redact, dedup, label, split or rollback")
    operation_details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    status: str = Field(description="ready, rejected or superseded")
    record_format: str
    record_count: int
    content_hash: str = Field(index=True)
    records_key: str
    fields: list[str] = Field(default_factory=list, sa_type=JSONB)
    labels: list[str] = Field(default_factory=list, sa_type=JSONB)
    prompt_template: dict[str, Any] | None = Field(
        default=None, sa_type=JSONB, description="The use case's PromptTemplate when the version was made."
    )
    source: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    validation_report: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    quality_score: float
    pii_report: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    remaining_pii: int = 0
    split_report: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    split_keys: dict[str, str] = Field(default_factory=dict, sa_type=JSONB)
    token_stats: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    rejection_reasons: list[str] = Field(default_factory=list, sa_type=JSONB)
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)


class Upload(SQLModel, table=True):
    """One upload attempt: parts received, then processed into a version or failed with a reason."""

    __tablename__ = "data_uploads"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    dataset_id: UUID = Field(index=True)
    filename: str
    file_format: str
    status: str = Field(index=True, description="receiving, queued, processing, completed, failed or aborted")
    error: str | None = None
    error_code: str | None = None
    size: int = Field(default=0, sa_type=sa.BigInteger)
    parts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    version_id: UUID | None = None
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
