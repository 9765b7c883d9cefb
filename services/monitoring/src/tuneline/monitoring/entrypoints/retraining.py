"""REST: retraining policy per use case, and the decisions that acted.

A use case's team is that of the models serving it (tuneline.monitoring.models.access): another team's caller is
refused (403, audited) and sees none of its decisions; a use case no model serves yet is the admins' alone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, Role, audit, require_roles
from tuneline.common.events import utcnow
from tuneline.monitoring.models import access
from tuneline.monitoring.retraining import repository
from tuneline.monitoring.retraining.tables import RetrainPolicyRow

router = APIRouter(prefix="/retraining", tags=["retraining"])
#: Listings: a token with no role Tuneline knows sees nothing (the team rule needs a known role to read).
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]


#: The longest period a policy may name (the columns are 32-bit seconds).
YEAR_S = 366 * 86_400


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    on_drift: bool = True
    on_quality_degradation: bool = True
    cooldown_seconds: int = Field(default=86_400, ge=0, le=YEAR_S, description="Least time between two actions.")
    max_actions: int = Field(default=3, ge=1, le=1000, description="Most actions per window.")
    window_seconds: int = Field(default=7 * 86_400, ge=60, le=YEAR_S)
    schedule_every_seconds: int | None = Field(
        default=None,
        ge=3600,
        le=YEAR_S,
        description="Periodic retraining: a retrain request every this many seconds from the last one (or from when "
        "the policy was set), within the rate limits; off if empty.",
    )


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
    await access.ensure_usecase(session, user, usecase_id, "read the retraining policy of")
    row = await repository.get_policy(session, usecase_id)
    return PolicyOut.model_validate(row) if row else PolicyOut(usecase_id=usecase_id)


@router.put("/policies/{usecase_id}", response_model=PolicyOut, summary="Set a use case's retraining policy")
async def put_policy(
    usecase_id: UUID,
    body: PolicyIn,
    session: SessionDep,
    user: Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))],
) -> PolicyOut:
    await access.ensure_usecase(session, user, usecase_id, "set the retraining policy of", (Role.ML_ENGINEER,))
    row = await repository.get_policy(session, usecase_id)
    if row is None:
        row = RetrainPolicyRow(usecase_id=usecase_id, updated_by=user.subject)
    for name, value in body.model_dump().items():
        setattr(row, name, value)
    row.updated_by, row.updated_at = user.subject, utcnow()
    await repository.add(session, row)
    await audit(session, user, "retrain_policy.updated", "usecase", usecase_id, **body.model_dump())
    return PolicyOut.model_validate(row)


@router.get("/actions", response_model=list[ActionOut], summary="Retrain requests and data requests sent")
async def list_actions(session: SessionDep, user: Member, usecase_id: UUID | None = None) -> list[ActionOut]:
    """The caller's team's use cases' decisions (an admin: all); of one use case when named (403: another team's)."""
    if usecase_id is not None:
        await access.ensure_usecase(session, user, usecase_id, "read the retraining decisions of")
    visible = await access.visible_usecases(session, user)
    return [
        ActionOut.model_validate(r)
        for r in await repository.list_actions(session, usecase_id)
        if visible is None or r.usecase_id in visible
    ]
