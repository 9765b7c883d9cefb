"""REST: traffic time series and current figures per model/version/arm and per use case; cost per model.

A named model or use case of another team is refused (403, audited); listings show the caller's team's models
(tuneline.monitoring.models.access)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.app import SessionDep, StateDep
from tuneline.common.auth import CurrentUser, Principal, require_roles
from tuneline.monitoring.models import access
from tuneline.monitoring.rollups import repository, service
from tuneline.monitoring.rollups.schemas import CostLine, CostsOut, CurrentOut, KeyedFigures, SeriesOut, SeriesPointOut
from tuneline.monitoring.settings import MonitoringSettings

router = APIRouter(prefix="/metrics", tags=["metrics"])
#: Listings: a token with no role Tuneline knows sees nothing (the team rule needs a known role to read).
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]

Start = Annotated[datetime | None, Query(description="Inclusive start (ISO 8601 with zone); default end - 1 h.")]
End = Annotated[datetime | None, Query(description="Exclusive end; default now.")]
Step = Annotated[int, Query(ge=1, description="Seconds per point.")]


def _range(start: datetime | None, end: datetime | None, default_minutes: float) -> tuple[datetime, datetime]:
    _default_start, default_end = service.default_range(default_minutes)
    end = end or default_end
    return start or end - timedelta(minutes=default_minutes), end


def _window_minutes(state: StateDep) -> float:
    settings = state.settings
    return settings.current_window_minutes if isinstance(settings, MonitoringSettings) else 5.0


@router.get("/models/{model}/series", response_model=SeriesOut, summary="Time series of one model")
async def model_series(
    model: str,
    session: SessionDep,
    user: CurrentUser,
    start: Start = None,
    end: End = None,
    step_seconds: Step = 60,
    version: str | None = None,
    arm: str | None = None,
) -> SeriesOut:
    await access.ensure_model(session, user, model)
    start, end = _range(start, end, 60)
    service.check_range(start, end, step_seconds)
    rollups = await repository.load_rollups(session, start, end, model=model, version=version, arm=arm)
    points = service.series(rollups, start, end, step_seconds)
    return SeriesOut(
        start=start,
        end=end,
        step_seconds=step_seconds,
        points=[SeriesPointOut(start=p.start, **KeyedFigures.of(p.key, p.summary).model_dump()) for p in points],
    )


@router.get("/models/{model}/current", response_model=CurrentOut, summary="Current figures per version and arm")
async def model_current(model: str, session: SessionDep, state: StateDep, user: CurrentUser) -> CurrentOut:
    await access.ensure_model(session, user, model)
    start, end = service.default_range(_window_minutes(state))
    rollups = await repository.load_rollups(session, start, end, model=model)
    figures = service.current(rollups, start, end)
    return CurrentOut(start=start, end=end, items=[KeyedFigures.of(k, s) for k, s in figures.items()])


@router.get("/models", response_model=CurrentOut, summary="Current figures of every model version and arm")
async def all_current(session: SessionDep, state: StateDep, user: Member) -> CurrentOut:
    """The caller's team's models (an admin's: every model)."""
    visible = await access.visible_models(session, user)
    start, end = service.default_range(_window_minutes(state))
    figures = service.current(await repository.load_rollups(session, start, end, models=visible), start, end)
    return CurrentOut(start=start, end=end, items=[KeyedFigures.of(k, s) for k, s in figures.items()])


@router.get("/usecases/{usecase_id}/series", response_model=SeriesOut, summary="Time series of a use case's models")
async def usecase_series(
    usecase_id: UUID,
    session: SessionDep,
    user: CurrentUser,
    start: Start = None,
    end: End = None,
    step_seconds: Step = 60,
) -> SeriesOut:
    await access.ensure_usecase(session, user, usecase_id)
    start, end = _range(start, end, 60)
    service.check_range(start, end, step_seconds)
    rollups = await repository.load_rollups(session, start, end, usecase_id=usecase_id)
    points = service.series(rollups, start, end, step_seconds, by_arm=False)
    return SeriesOut(
        start=start,
        end=end,
        step_seconds=step_seconds,
        points=[SeriesPointOut(start=p.start, **KeyedFigures.of(p.key, p.summary).model_dump()) for p in points],
    )


@router.get("/usecases/{usecase_id}/current", response_model=CurrentOut, summary="Current figures of a use case")
async def usecase_current(usecase_id: UUID, session: SessionDep, state: StateDep, user: CurrentUser) -> CurrentOut:
    await access.ensure_usecase(session, user, usecase_id)
    start, end = service.default_range(_window_minutes(state))
    rollups = await repository.load_rollups(session, start, end, usecase_id=usecase_id)
    return CurrentOut(
        start=start, end=end, items=[KeyedFigures.of(k, s) for k, s in service.current(rollups, start, end).items()]
    )


@router.get("/costs", response_model=CostsOut, summary="Cost per model and version")
async def costs(
    session: SessionDep, user: Member, start: Start = None, end: End = None, usecase_id: UUID | None = None
) -> CostsOut:
    """The caller's team's models (an admin's: every model); of one use case when named."""
    if usecase_id is not None:
        await access.ensure_usecase(session, user, usecase_id)
    visible = await access.visible_models(session, user)
    start, end = _range(start, end, 24 * 60)
    service.check_range(start, end, int((end - start).total_seconds()) or 1)
    rollups = await repository.load_rollups(session, start, end, usecase_id=usecase_id, models=visible)
    lines = [
        CostLine(
            model=model,
            version=version,
            requests=s.requests,
            tokens_in=s.tokens_in,
            tokens_out=s.tokens_out,
            cost=s.cost,
            cost_per_request=s.cost_per_request,
        )
        for (model, version), s in service.costs(rollups, start, end).items()
    ]
    per_model: dict[str, float] = {}
    for line in lines:
        per_model[line.model] = per_model.get(line.model, 0.0) + line.cost
    return CostsOut(start=start, end=end, total=sum(per_model.values()), per_version=lines, per_model=per_model)
