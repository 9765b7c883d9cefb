"""Request and response models of the exports API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from tuneline.registry.exports.formats import DEFAULT_GGUF_QUANTIZATION, ExportFormat
from tuneline.registry.exports.tables import ExportRow


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: ExportFormat = Field(
        description="merged: the base model with the adapter merged in (safetensors, config, tokenizer); gguf: one "
        "GGUF file for llama.cpp / Ollama; adapter: the PEFT adapter files as trained."
    )
    quantization: str | None = Field(
        default=None,
        max_length=16,
        description=f"GGUF only: the tensor type of 2-D weights (default {DEFAULT_GGUF_QUANTIZATION}); "
        "GET /models/exports/formats lists what this installation supports.",
    )


class ExportFile(BaseModel):
    path: str
    size: int
    sha256: str


class ExportOut(BaseModel):
    id: UUID
    model: str
    version: int
    format: ExportFormat
    quantization: str | None
    status: str = Field(description="queued, running, completed, failed (see reason) or erased (see reason).")
    reason: str | None
    requested_by: str
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    size_bytes: int | None = Field(description="Sum of the artifact's file sizes.")
    sha256: str | None = Field(
        description="The GGUF file's sha256; for a directory export (merged, adapter), the sha256 of its SHA256SUMS "
        "manifest (`sha256sum -c SHA256SUMS` checks every file)."
    )
    files: list[ExportFile]
    verification: dict[str, Any] | None = Field(
        description="The export loaded back and compared with the served model: per prompt whether the greedy "
        "output matched, the prompt tokenisation, the common prefix and teacher-forced token agreement."
    )
    details: dict[str, Any]
    download: str | None = Field(description="Where to download it, once completed.")

    @classmethod
    def of(cls, row: ExportRow, model: str, version: int) -> ExportOut:
        completed = row.status == "completed"
        return cls(
            id=row.id,
            model=model,
            version=version,
            format=ExportFormat(row.format),
            quantization=row.quantization,
            status=row.status,
            reason=row.reason,
            requested_by=row.requested_by,
            attempts=row.attempts,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            files=[ExportFile.model_validate(f) for f in row.files],
            verification=row.verification,
            details=row.details,
            download=f"/models/{model}/versions/{version}/exports/{row.id}/download" if completed else None,
        )


class ExportFormatsOut(BaseModel):
    formats: list[ExportFormat]
    gguf_quantizations: list[str] = Field(description="GGUF tensor types this installation writes, largest first.")
    gguf_default: str
    lossless: list[str] = Field(description="GGUF types whose export must reproduce the served outputs exactly.")
