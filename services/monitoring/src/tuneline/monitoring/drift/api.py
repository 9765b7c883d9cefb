"""REST: drift reports with their evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser
from tuneline.common.errors import NotFound
from tuneline.monitoring.drift import repository
from tuneline.monitoring.drift.tables import DriftReportRow

router = APIRouter(prefix="/drift", tags=["drift"])


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
    user: CurrentUser,
    model: str | None = None,
    drifted: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DriftReportOut]:
    return [DriftReportOut.model_validate(r) for r in await repository.list_reports(session, model, drifted, limit)]


@router.get("/reports/{report_id}", response_model=DriftReportOut, summary="One drift report")
async def get_report(report_id: UUID, session: SessionDep, user: CurrentUser) -> DriftReportOut:
    row = await session.get(DriftReportRow, report_id)
    if row is None:
        raise NotFound(f"drift report {report_id} does not exist", field="report_id")
    return DriftReportOut.model_validate(row)
