"""The erasure tombstone (who erased what, when and why; ids only) and the other services' acknowledgements."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class DatasetErasure(SQLModel, table=True):
    """A tombstone: outlives the dataset it erased, so the erasure can be shown and proven afterwards."""

    __tablename__ = "data_erasures"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    dataset_id: UUID = Field(index=True)
    usecase_id: UUID
    team: str | None = None
    owner: str = Field(description="The dataset's data owner (access to the report once the dataset is gone).")
    whole_dataset: bool
    version_ids: list[str] = Field(default_factory=list, sa_type=JSONB)
    version_numbers: list[int] = Field(default_factory=list, sa_type=JSONB)
    reason: str = Field(sa_type=sa.Text)
    requested_by: str
    requested_at: datetime = Field(default_factory=utcnow)
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONB)
    expected: list[str] = Field(default_factory=list, sa_type=JSONB, description="Services that must confirm.")


class ErasureAcknowledgement(SQLModel, table=True):
    """One service's erasure.applied for one erasure (the first one; a redelivery changes nothing)."""

    __tablename__ = "data_erasure_acknowledgements"

    erasure_id: UUID = Field(primary_key=True)
    service: str = Field(primary_key=True)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    applied_at: datetime
    event_id: UUID
