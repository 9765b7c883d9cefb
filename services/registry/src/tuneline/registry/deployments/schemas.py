"""Request and response models of the deployment API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from tuneline.registry.deployments.service import ServingSync


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


class ServingSyncOut(BaseModel):
    """Whether serving has applied the stored key sets and policies; `lag_s` is the reconciler's lag."""

    in_sync: bool
    desired_revision: int
    applied_revision: int
    lag_s: float = Field(description="Age of the oldest change serving has not applied yet (0 when in sync).")
    failed_attempts: int = Field(description="Apply attempts serving refused since the last success.")
    last_error: str | None
    applied_at: datetime | None
    last_attempt_at: datetime | None

    @classmethod
    def of(cls, status: ServingSync) -> ServingSyncOut:
        return cls(
            in_sync=status.in_sync,
            desired_revision=status.desired_revision,
            applied_revision=status.applied_revision,
            lag_s=status.lag_s,
            failed_attempts=status.attempts,
            last_error=status.last_error,
            applied_at=status.applied_at,
            last_attempt_at=status.last_attempt_at,
        )
