"""Request and response models of the datasets API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from tuneline.common.records import PromptTemplate
from tuneline.data.datasets.tables import Dataset, DatasetVersion, Upload


class CreateDataset(BaseModel):
    usecase_id: UUID = Field(description="An approved use case this dataset feeds.")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class UploadOptions(BaseModel):
    """How to read an upload; everything optional."""

    mode: Literal["instruction", "conversational", "classification", "text"] | None = Field(
        default=None, description="Record format; detected from the field names when omitted."
    )
    mapping: dict[str, str] = Field(
        default_factory=dict, description='Canonical field → source field, e.g. {"prompt": "question"}.'
    )
    split: str | None = Field(default=None, description="Split ratios: 80/20, 90/10, 95/5, 80/10/10 or custom.")
    seed: int | None = Field(default=None, description="Split seed.")
    stratified: bool = Field(default=True, description="Stratify splits by label (classification only).")


class StartUpload(UploadOptions):
    filename: str = Field(min_length=1, max_length=1000)


class DatasetOut(BaseModel):
    id: UUID
    usecase_id: UUID
    name: str
    description: str | None
    owner: str
    team: str | None
    created_at: datetime
    latest_version_id: UUID | None
    ready_version_id: UUID | None

    @classmethod
    def of(cls, row: Dataset) -> DatasetOut:
        return cls.model_validate(row, from_attributes=True)


class VersionOut(BaseModel):
    id: UUID
    dataset_id: UUID
    number: int
    parent_id: UUID | None
    operation: str
    operation_details: dict[str, Any]
    status: str
    record_format: str
    record_count: int
    content_hash: str
    fields: list[str]
    labels: list[str]
    prompt_template: PromptTemplate | None = Field(
        default=None, description="The use case's prompt template stored with this version (training applies it)."
    )
    source: dict[str, Any]
    quality_score: float
    quality_breakdown: dict[str, Any]
    remaining_pii: int
    pii_scanned: bool
    split_counts: dict[str, int]
    token_stats: dict[str, Any]
    rejection_reasons: list[str]
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: DatasetVersion) -> VersionOut:
        return cls(
            id=row.id,
            dataset_id=row.dataset_id,
            number=row.number,
            parent_id=row.parent_id,
            operation=row.operation,
            operation_details=row.operation_details,
            status=row.status,
            record_format=row.record_format,
            record_count=row.record_count,
            content_hash=row.content_hash,
            fields=row.fields,
            labels=row.labels,
            prompt_template=PromptTemplate.model_validate(row.prompt_template) if row.prompt_template else None,
            source=row.source,
            quality_score=row.quality_score,
            quality_breakdown=row.validation_report.get("quality", {}).get("breakdown", {}),
            remaining_pii=row.remaining_pii,
            pii_scanned=row.pii_report is not None,
            split_counts=row.split_report.get("counts", {}),
            token_stats=row.token_stats,
            rejection_reasons=row.rejection_reasons,
            created_by=row.created_by,
            created_at=row.created_at,
        )


class UploadOut(BaseModel):
    id: UUID
    dataset_id: UUID
    filename: str
    file_format: str
    status: str
    error: str | None
    error_code: str | None
    size: int
    parts: list[dict[str, Any]]
    next_part: int = Field(description="Number of the next part to send (resume from here).")
    version_id: UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Upload) -> UploadOut:
        numbers = {int(p["number"]) for p in row.parts}
        next_part = 1
        while next_part in numbers:
            next_part += 1
        return cls(
            id=row.id,
            dataset_id=row.dataset_id,
            filename=row.filename,
            file_format=row.file_format,
            status=row.status,
            error=row.error,
            error_code=row.error_code,
            size=row.size,
            parts=row.parts,
            next_part=next_part,
            version_id=row.version_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class UploadAccepted(BaseModel):
    """Answer to an upload: the version when processed in the request, else the queued upload to poll."""

    upload: UploadOut
    version: VersionOut | None = None


class RedactRequest(BaseModel):
    mode: Literal["replace", "mask", "hash"]
    entities: list[str] | None = Field(default=None, description="Entity types to redact; all when omitted.")


class LabelAssignment(BaseModel):
    index: int = Field(ge=0, description="0-based position of the record in the version.")
    label: str = Field(min_length=1, max_length=200)


class LabelRequest(BaseModel):
    labels: list[LabelAssignment] = Field(min_length=1)
    keep_unlabelled: bool = Field(
        default=True, description="Keep records without a label (their label stays empty and is reported)."
    )


class SplitRequest(BaseModel):
    ratios: str = Field(description="80/20, 90/10, 95/5, 80/10/10 or custom percentages.")
    seed: int = 42
    stratified: bool = True


class RollbackRequest(BaseModel):
    to_version: int = Field(ge=1, le=2_147_483_647)


class RecordsPage(BaseModel):
    version: int
    split: str | None
    offset: int
    records: list[dict[str, Any]]


class LineageEntry(BaseModel):
    number: int
    id: UUID
    operation: str
    operation_details: dict[str, Any]
    content_hash: str
    status: str
    created_by: str
    created_at: datetime


class AuditEntry(BaseModel):
    occurred_at: datetime
    actor: str
    action: str
    resource_type: str
    resource_id: str
    details: dict[str, Any]
