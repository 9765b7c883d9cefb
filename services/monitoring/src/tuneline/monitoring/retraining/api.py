"""REST: retraining policy per use case, and the decisions that acted."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, Role, audit, require_roles
from tuneline.common.events import utcnow
from tuneline.monitoring.retraining.tables import RetrainActionRow, RetrainPolicyRow

router = APIRouter(prefix="/retraining", tags=["retraining"])


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    on_drift: bool = True
    on_quality_degradation: bool = True
    cooldown_seconds: int = Field(default=86_400, ge=0, description="Least time between two actions.")
    max_actions: int = Field(default=3, ge=1, description="Most actions per window.")
    window_seconds: int = Field(default=7 * 86_400, ge=60)
    schedule_every_seconds: int | None = Field(default=None, ge=3600, description="Periodic retraining; off if empty.")


class PolicyOut(PolicyIn):
    model_config = ConfigDict(from_attributes=True)

    usecase_id: UUID
    updated_by: str | None = None
    updated_at: datetime | None = None


class ActionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    usecase_id: UUID
    action: str
    trigger: str
    reason: str
    dataset_version_id: UUID | None
    decided_at: datetime


@router.get("/policies/{usecase_id}", response_model=PolicyOut, summary="A use case's retraining policy")
async def get_policy(usecase_id: UUID, session: SessionDep, user: CurrentUser) -> PolicyOut:
    row = await session.get(RetrainPolicyRow, usecase_id)
    return PolicyOut.model_validate(row) if row else PolicyOut(usecase_id=usecase_id)


@router.put("/policies/{usecase_id}", response_model=PolicyOut, summary="Set a use case's retraining policy")
async def put_policy(
    usecase_id: UUID,
    body: PolicyIn,
    session: SessionDep,
    user: Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))],
) -> PolicyOut:
    row = await session.get(RetrainPolicyRow, usecase_id)
    if row is None:
        row = RetrainPolicyRow(usecase_id=usecase_id, updated_by=user.subject)
        session.add(row)
    for name, value in body.model_dump().items():
        setattr(row, name, value)
    row.updated_by, row.updated_at = user.subject, utcnow()
    await session.flush()
    await audit(session, user, "retrain_policy.updated", "usecase", usecase_id, **body.model_dump())
    return PolicyOut.model_validate(row)


@router.get("/actions", response_model=list[ActionOut], summary="Retrain requests and data requests sent")
async def list_actions(session: SessionDep, user: CurrentUser, usecase_id: UUID | None = None) -> list[ActionOut]:
    stmt = sa.select(RetrainActionRow).order_by(RetrainActionRow.decided_at.desc()).limit(200)
    if usecase_id is not None:
        stmt = stmt.where(RetrainActionRow.usecase_id == usecase_id)
    return [ActionOut.model_validate(r) for r in (await session.execute(stmt)).scalars()]
