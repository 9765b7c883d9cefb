"""REST: alert rules CRUD; alerts list, acknowledge, resolve.

Alerts and rules are their model's team's (tuneline.monitoring.models.access): another team's are refused (403,
audited) and left out of listings; a rule for no model in particular applies to every team's models, so only an
admin creates, changes or deletes one (everyone sees it)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, audit, require_roles
from tuneline.monitoring.alerts import repository, service
from tuneline.monitoring.alerts.schemas import AlertOut, RuleIn, RuleOut, RulePatch
from tuneline.monitoring.alerts.state import AlertState
from tuneline.monitoring.models import access

router = APIRouter(prefix="/alerts", tags=["alerts"])
Operator = Annotated[Principal, Depends(require_roles(*access.OPERATORS))]
#: Listings: a token with no role Tuneline knows sees nothing (the team rule needs a known role to read).
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]


async def _ensure_rule_change(session: AsyncSession, user: Principal, model: str | None, action: str) -> None:
    if model is not None:
        await access.ensure_model(session, user, model, action, access.OPERATORS)
    else:  # every team's models: the platform's, so the admins'
        access.ensure_platform_rule(user, action)


@router.post("/rules", response_model=RuleOut, status_code=201, summary="Create an alert rule")
async def create_rule(body: RuleIn, session: SessionDep, user: Operator) -> RuleOut:
    await _ensure_rule_change(session, user, body.model_name, "create an alert rule for")
    row = await service.create_rule(session, body.model_dump(mode="json"), user.subject)
    await audit(session, user, "alert_rule.created", "alert_rule", row.id, metric=row.metric)
    return RuleOut.model_validate(row)


@router.get("/rules", response_model=list[RuleOut], summary="List alert rules")
async def list_rules(session: SessionDep, user: Member) -> list[RuleOut]:
    """Rules for the caller's team's models and those for every model (an admin: all)."""
    visible = await access.visible_models(session, user)
    return [
        RuleOut.model_validate(r)
        for r in await repository.list_rules(session)
        if visible is None or r.model_name is None or r.model_name in visible
    ]


@router.get("/rules/{rule_id}", response_model=RuleOut, summary="One alert rule")
async def get_rule(rule_id: UUID, session: SessionDep, user: CurrentUser) -> RuleOut:
    row = await service.get_rule(session, rule_id)
    if row.model_name is not None:
        await access.ensure_model(session, user, row.model_name, "read an alert rule of")
    return RuleOut.model_validate(row)


@router.patch("/rules/{rule_id}", response_model=RuleOut, summary="Change an alert rule")
async def update_rule(rule_id: UUID, body: RulePatch, session: SessionDep, user: Operator) -> RuleOut:
    await _ensure_rule_change(session, user, (await service.get_rule(session, rule_id)).model_name, "change a rule of")
    row = await service.update_rule(session, rule_id, body.model_dump(mode="json", exclude_unset=True))
    await audit(
        session, user, "alert_rule.updated", "alert_rule", row.id, **body.model_dump(mode="json", exclude_unset=True)
    )
    return RuleOut.model_validate(row)


@router.delete("/rules/{rule_id}", status_code=204, summary="Delete an alert rule")
async def delete_rule(rule_id: UUID, session: SessionDep, user: Operator) -> Response:
    await _ensure_rule_change(session, user, (await service.get_rule(session, rule_id)).model_name, "delete a rule of")
    await service.delete_rule(session, rule_id)
    await audit(session, user, "alert_rule.deleted", "alert_rule", rule_id)
    return Response(status_code=204)


@router.get("", response_model=list[AlertOut], summary="List alerts, newest first")
async def list_alerts(
    session: SessionDep,
    user: Member,
    state: Annotated[AlertState | None, Query()] = None,
    model: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertOut]:
    """The alerts of the caller's team's models (an admin: all); of one model when named (403: another team's)."""
    if model is not None:
        await access.ensure_model(session, user, model, "read the alerts of")
    visible = await access.visible_models(session, user)
    rows = await repository.list_alerts(session, state.value if state else None, model, limit, models=visible)
    return [AlertOut.model_validate(r) for r in rows]


@router.get("/{alert_id}", response_model=AlertOut, summary="One alert")
async def get_alert(alert_id: UUID, session: SessionDep, user: CurrentUser) -> AlertOut:
    row = await service.get_alert(session, alert_id)
    await access.ensure_model(session, user, row.model_name, "read the alerts of")
    return AlertOut.model_validate(row)


@router.post("/{alert_id}/acknowledge", response_model=AlertOut, summary="Acknowledge a firing alert")
async def acknowledge(alert_id: UUID, session: SessionDep, user: Operator) -> AlertOut:
    model = (await service.get_alert(session, alert_id)).model_name
    await access.ensure_model(session, user, model, "acknowledge an alert of", access.OPERATORS)
    row = await service.change_state(session, alert_id, AlertState.ACKNOWLEDGED, user.subject)
    await audit(session, user, "alert.acknowledged", "alert", alert_id)
    return AlertOut.model_validate(row)


@router.post("/{alert_id}/resolve", response_model=AlertOut, summary="Resolve an open alert")
async def resolve(alert_id: UUID, session: SessionDep, user: Operator) -> AlertOut:
    model = (await service.get_alert(session, alert_id)).model_name
    await access.ensure_model(session, user, model, "resolve an alert of", access.OPERATORS)
    row = await service.change_state(session, alert_id, AlertState.RESOLVED, user.subject)
    await audit(session, user, "alert.resolved", "alert", alert_id)
    return AlertOut.model_validate(row)
