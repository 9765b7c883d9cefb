"""REST: drift reports with their evidence; a report is its model's team's (tuneline.monitoring.models.access):
another team's is refused (403, audited) and left out of listings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, require_roles
from tuneline.common.errors import NotFound
from tuneline.monitoring.drift import repository
from tuneline.monitoring.drift.tables import DriftReportRow
from tuneline.monitoring.models import access

router = APIRouter(prefix="/drift", tags=["drift"])
#: Listings: a token with no role Tuneline knows sees nothing (the team rule needs a known role to read).
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]


class DriftReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, protected_namespaces=())

    id: UUID
    model_name: str
    version: str
    usecase_id: UUID | None
    reference_version_id: UUID | None
    window_start: datetime
    window_end: datetime
    drifted: bool
    checks: list[dict[str, Any]]
    created_at: datetime


@router.get("/reports", response_model=list[DriftReportOut], summary="Drift reports, newest first")
async def list_reports(
    session: SessionDep,
    user: Member,
    model: str | None = None,
    drifted: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DriftReportOut]:
    """The caller's team's models' reports (an admin: all); of one model when named (403: another team's)."""
    if model is not None:
        await access.ensure_model(session, user, model, "read the drift reports of")
    visible = await access.visible_models(session, user)
    reports = await repository.list_reports(session, model, drifted, limit, models=visible)
    return [DriftReportOut.model_validate(r) for r in reports]


@router.get("/reports/{report_id}", response_model=DriftReportOut, summary="One drift report")
async def get_report(report_id: UUID, session: SessionDep, user: CurrentUser) -> DriftReportOut:
    row = await session.get(DriftReportRow, report_id)
    if row is None:
        raise NotFound(f"drift report {report_id} does not exist", field="report_id")
    await access.ensure_model(session, user, row.model_name, "read the drift reports of")
    return DriftReportOut.model_validate(row)
