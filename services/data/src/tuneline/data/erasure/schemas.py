"""Request and response models of erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from tuneline.data.erasure.tables import DatasetErasure, ErasureAcknowledgement


class EraseRequest(BaseModel):
    reason: str = Field(
        min_length=3,
        max_length=2000,
        description="Why the data is erased (e.g. 'GDPR art. 17 request #1234'); kept with the tombstone.",
    )


class ServiceErasure(BaseModel):
    status: Literal["applied", "pending"]
    applied_at: datetime | None = None
    counts: dict[str, Any] = Field(default_factory=dict, description="What the service erased, by kind.")


class ErasureReport(BaseModel):
    """What was erased, by whom and why, and which services have confirmed their part."""

    id: UUID
    dataset_id: UUID
    usecase_id: UUID
    team: str | None
    scope: Literal["dataset", "versions"]
    version_ids: list[UUID]
    version_numbers: list[int]
    reason: str
    requested_by: str
    requested_at: datetime
    services: dict[str, ServiceErasure] = Field(description="Per service (data included): applied or pending.")
    pending: list[str] = Field(description="Services that have not confirmed yet.")
    complete: bool

    @classmethod
    def of(cls, row: DatasetErasure, acks: list[ErasureAcknowledgement]) -> ErasureReport:
        services = {
            "data": ServiceErasure(status="applied", applied_at=row.requested_at, counts=row.counts),
            **{name: ServiceErasure(status="pending") for name in row.expected},
        }
        for ack in acks:
            services[ack.service] = ServiceErasure(status="applied", applied_at=ack.applied_at, counts=ack.counts)
        pending = [name for name, s in services.items() if s.status == "pending"]
        return cls(
            id=row.id,
            dataset_id=row.dataset_id,
            usecase_id=row.usecase_id,
            team=row.team,
            scope="dataset" if row.whole_dataset else "versions",
            version_ids=[UUID(v) for v in row.version_ids],
            version_numbers=row.version_numbers,
            reason=row.reason,
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            services=services,
            pending=pending,
            complete=not pending,
        )
