"""REST: alert rules CRUD; alerts list, acknowledge, resolve."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, Role, audit, require_roles
from tuneline.monitoring.alerts import repository, service
from tuneline.monitoring.alerts.schemas import AlertOut, RuleIn, RuleOut, RulePatch
from tuneline.monitoring.alerts.state import AlertState

router = APIRouter(prefix="/alerts", tags=["alerts"])
Operator = Annotated[Principal, Depends(require_roles(Role.SRE, Role.ML_ENGINEER))]


@router.post("/rules", response_model=RuleOut, status_code=201, summary="Create an alert rule")
async def create_rule(body: RuleIn, session: SessionDep, user: Operator) -> RuleOut:
    row = await service.create_rule(session, body.model_dump(mode="json"), user.subject)
    await audit(session, user, "alert_rule.created", "alert_rule", row.id, metric=row.metric)
    return RuleOut.model_validate(row)


@router.get("/rules", response_model=list[RuleOut], summary="List alert rules")
async def list_rules(session: SessionDep, user: CurrentUser) -> list[RuleOut]:
    return [RuleOut.model_validate(r) for r in await repository.list_rules(session)]


@router.get("/rules/{rule_id}", response_model=RuleOut, summary="One alert rule")
async def get_rule(rule_id: UUID, session: SessionDep, user: CurrentUser) -> RuleOut:
    return RuleOut.model_validate(await service.get_rule(session, rule_id))


@router.patch("/rules/{rule_id}", response_model=RuleOut, summary="Change an alert rule")
async def update_rule(rule_id: UUID, body: RulePatch, session: SessionDep, user: Operator) -> RuleOut:
    row = await service.update_rule(session, rule_id, body.model_dump(mode="json", exclude_unset=True))
    await audit(
        session, user, "alert_rule.updated", "alert_rule", row.id, **body.model_dump(mode="json", exclude_unset=True)
    )
    return RuleOut.model_validate(row)


@router.delete("/rules/{rule_id}", status_code=204, summary="Delete an alert rule")
async def delete_rule(rule_id: UUID, session: SessionDep, user: Operator) -> Response:
    await service.delete_rule(session, rule_id)
    await audit(session, user, "alert_rule.deleted", "alert_rule", rule_id)
    return Response(status_code=204)


@router.get("", response_model=list[AlertOut], summary="List alerts, newest first")
async def list_alerts(
    session: SessionDep,
    user: CurrentUser,
    state: Annotated[AlertState | None, Query()] = None,
    model: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertOut]:
    rows = await repository.list_alerts(session, state.value if state else None, model, limit)
    return [AlertOut.model_validate(r) for r in rows]


@router.get("/{alert_id}", response_model=AlertOut, summary="One alert")
async def get_alert(alert_id: UUID, session: SessionDep, user: CurrentUser) -> AlertOut:
    return AlertOut.model_validate(await service.get_alert(session, alert_id))


@router.post("/{alert_id}/acknowledge", response_model=AlertOut, summary="Acknowledge a firing alert")
async def acknowledge(alert_id: UUID, session: SessionDep, user: Operator) -> AlertOut:
    row = await service.change_state(session, alert_id, AlertState.ACKNOWLEDGED, user.subject)
    await audit(session, user, "alert.acknowledged", "alert", alert_id)
    return AlertOut.model_validate(row)


@router.post("/{alert_id}/resolve", response_model=AlertOut, summary="Resolve an open alert")
async def resolve(alert_id: UUID, session: SessionDep, user: Operator) -> AlertOut:
    row = await service.change_state(session, alert_id, AlertState.RESOLVED, user.subject)
    await audit(session, user, "alert.resolved", "alert", alert_id)
    return AlertOut.model_validate(row)
