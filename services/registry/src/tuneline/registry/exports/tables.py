"""Registry table for exports: a model version as a deployable artifact (merged, GGUF, adapter) and its check."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, DateTime, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


def _tz(nullable: bool = False) -> Any:
    return Column(DateTime(timezone=True), nullable=nullable)


class ExportRow(SQLModel, table=True):
    __tablename__ = "registry_exports"
    # One export per version, format and quantization: asking again returns it (quantization is NULL but for GGUF).
    __table_args__ = (
        Index("registry_exports_request", "version_id", "format", text("coalesce(quantization, '')"), unique=True),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    model_id: UUID = Field(foreign_key="registry_models.id", index=True)
    version_id: UUID = Field(foreign_key="registry_model_versions.id", index=True)
    format: str  # merged | gguf | adapter
    quantization: str | None = None  # the GGUF tensor type
    status: str = "queued"  # queued | running | completed | failed | erased
    reason: str | None = None  # why it failed or was erased
    requested_by: str
    attempts: int = 0
    worker: str | None = None
    heartbeat_at: datetime | None = Field(default=None, sa_column=_tz(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_tz())
    started_at: datetime | None = Field(default=None, sa_column=_tz(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=_tz(nullable=True))
    #: Object-store key prefix of the artifact's files (exports/<id>/).
    prefix: str
    #: Every file of the artifact: {path, size, sha256}, paths relative to `prefix`.
    files: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    size_bytes: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
    #: The GGUF file's sha256, or the SHA256SUMS manifest's for a directory export.
    sha256: str | None = None
    verification: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    #: What was written: GGUF tensor types and F16 fallbacks, the merged dtype, the adapter's PEFT config.
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
