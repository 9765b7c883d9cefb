"""REST routes for deployments: deploy (with a canary weight), set weight, promote fully, rollback, blue/green,
stop, health. A change the runtime refuses answers 409 with the reason; the previous version keeps serving.

A deployment is its model's: the model's team (tuneline.registry.models.access) decides who reads it (a known role
of the team) and who changes it (the route's roles in the team); another team's caller gets 403, audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, Role, require_roles
from tuneline.registry.context import RegistryContextDep
from tuneline.registry.deployments import service
from tuneline.registry.deployments.schemas import DeployIn, DeploymentOut, RollbackIn, VersionIn, WeightIn
from tuneline.registry.deployments.service import Outcome, ServingContext
from tuneline.registry.models import service as models_service

router = APIRouter(prefix="/models", tags=["deployments"])

ENGINEER = (Role.ML_ENGINEER,)
OPERATOR = (Role.ML_ENGINEER, Role.SRE)
Engineer = Annotated[Principal, Depends(require_roles(*ENGINEER))]
Operator = Annotated[Principal, Depends(require_roles(*OPERATOR))]


def serving(context: RegistryContextDep) -> ServingContext:
    return context.serving


Serving = Annotated[ServingContext, Depends(serving)]


async def _answer(session: SessionDep, ctx: ServingContext, name: str, outcome: Outcome) -> JSONResponse:
    loaded = await models_service.load(session, name)
    body = DeploymentOut.model_validate(service.describe(loaded, outcome.row, None)).model_dump(mode="json")
    # A refused change is stored (status, detail, event) and answered 409: the transaction still commits.
    return JSONResponse(body, status_code=200 if outcome.applied else 409)


@router.get("/{name}/deployment")
async def get_deployment(name: str, session: SessionDep, ctx: Serving, user: CurrentUser) -> DeploymentOut:
    await models_service.authorise(session, user, name, "read the deployment of")
    return DeploymentOut.model_validate(await service.view(session, ctx, name))


@router.post("/{name}/deployment", response_model=DeploymentOut)
async def deploy(name: str, body: DeployIn, session: SessionDep, ctx: Serving, user: Engineer) -> JSONResponse:
    await models_service.authorise(session, user, name, "deploy", ENGINEER)
    outcome = await service.deploy(session, ctx, name, body.version, body.canary_weight, user.subject)
    return await _answer(session, ctx, name, outcome)


@router.put("/{name}/deployment/weight", response_model=DeploymentOut)
async def set_weight(name: str, body: WeightIn, session: SessionDep, ctx: Serving, user: Engineer) -> JSONResponse:
    await models_service.authorise(session, user, name, "set the canary weight of", ENGINEER)
    return await _answer(
        session, ctx, name, await service.set_weight(session, ctx, name, body.canary_weight, user.subject)
    )


@router.post("/{name}/deployment/promote", response_model=DeploymentOut)
async def promote(name: str, session: SessionDep, ctx: Serving, user: Engineer) -> JSONResponse:
    await models_service.authorise(session, user, name, "promote the canary of", ENGINEER)
    return await _answer(session, ctx, name, await service.promote(session, ctx, name, user.subject))


@router.post("/{name}/deployment/rollback", response_model=DeploymentOut)
async def rollback(name: str, body: RollbackIn, session: SessionDep, ctx: Serving, user: Operator) -> JSONResponse:
    await models_service.authorise(session, user, name, "roll back", OPERATOR)
    return await _answer(session, ctx, name, await service.rollback(session, ctx, name, user.subject, body.reason))


@router.post("/{name}/deployment/blue-green", response_model=DeploymentOut)
async def blue_green(name: str, body: VersionIn, session: SessionDep, ctx: Serving, user: Engineer) -> JSONResponse:
    await models_service.authorise(session, user, name, "switch (blue/green)", ENGINEER)
    return await _answer(session, ctx, name, await service.blue_green(session, ctx, name, body.version, user.subject))


@router.delete("/{name}/deployment", response_model=DeploymentOut)
async def stop(name: str, session: SessionDep, ctx: Serving, user: Operator) -> JSONResponse:
    await models_service.authorise(session, user, name, "stop", OPERATOR)
    return await _answer(session, ctx, name, await service.stop(session, ctx, name, user.subject))
