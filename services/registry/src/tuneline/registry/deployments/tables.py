"""Registry table for deployments: the traffic plan of each served model and its last known health."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class DeploymentRow(SQLModel, table=True):
    __tablename__ = "registry_deployments"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    model_id: UUID = Field(foreign_key="registry_models.id", unique=True)
    stable_version_id: UUID = Field(foreign_key="registry_model_versions.id")
    canary_version_id: UUID | None = Field(default=None, foreign_key="registry_model_versions.id")
    canary_weight: float = 0.0
    previous_version_id: UUID | None = Field(default=None, foreign_key="registry_model_versions.id")
    status: str = "deploying"  # deploying, healthy, degraded, failed, stopped
    detail: str | None = None
    endpoint: str | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ServingSyncRow(SQLModel, table=True):
    """One row (id 1): which revision of the desired serving state (key sets, policies) the runtime has applied.

    A change that serving must learn (a key created, revoked or widened, a policy) bumps `desired_revision` in its
    own transaction and commits without waiting for serving; the reconciler applies the complete desired set and
    moves `applied_revision` up to it, retrying with backoff while serving refuses.
    """

    __tablename__ = "registry_serving_sync"

    id: int = Field(default=1, primary_key=True)
    desired_revision: int = 0
    applied_revision: int = 0
    # when the oldest change not yet applied was made (None: nothing pending)
    pending_since: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    applied_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    last_attempt_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    attempts: int = 0  # failed attempts since the last success
    last_error: str | None = None
