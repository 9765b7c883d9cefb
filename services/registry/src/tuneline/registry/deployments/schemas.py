"""Request and response models of the deployment API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeployIn(_In):
    version: int = Field(ge=1)
    canary_weight: float | None = Field(
        default=None, ge=0, le=1, description="Omit for the first deployment; 0..1 to start this version as canary."
    )


class WeightIn(_In):
    canary_weight: float = Field(ge=0, le=1)


class VersionIn(_In):
    version: int = Field(ge=1)


class RollbackIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


class DeploymentOut(BaseModel):
    model: str
    deployment_id: UUID
    status: str
    detail: str | None
    endpoint: str | None
    stable_version: int | None
    canary_version: int | None
    canary_weight: float
    previous_version: int | None
    updated_at: datetime
    health: dict[str, Any] | None = None
