"""REST routes for deployments: deploy (with a canary weight), set weight, promote fully, rollback, blue/green,
stop, health. A change the runtime refuses answers 409 with the reason; the previous version keeps serving."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, Role, require_roles
from tuneline.registry.deployments import service
from tuneline.registry.deployments.schemas import DeployIn, DeploymentOut, RollbackIn, VersionIn, WeightIn
from tuneline.registry.deployments.service import Outcome, ServingContext
from tuneline.registry.models import service as models_service

router = APIRouter(prefix="/models", tags=["deployments"])

Engineer = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))]
Operator = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER, Role.SRE))]


def serving(request: Request) -> ServingContext:
    ctx: ServingContext = request.app.state.tuneline.extras["serving"]
    return ctx


Serving = Annotated[ServingContext, Depends(serving)]


async def _answer(session: SessionDep, ctx: ServingContext, name: str, outcome: Outcome) -> JSONResponse:
    loaded = await models_service.load(session, name)
    body = DeploymentOut.model_validate(service.describe(loaded, outcome.row, None)).model_dump(mode="json")
    # A refused change is stored (status, detail, event) and answered 409: the transaction still commits.
    return JSONResponse(body, status_code=200 if outcome.applied else 409)


@router.get("/{name}/deployment")
async def get_deployment(name: str, session: SessionDep, ctx: Serving, _: CurrentUser) -> DeploymentOut:
    return DeploymentOut.model_validate(await service.view(session, ctx, name))


@router.post("/{name}/deployment", response_model=DeploymentOut)
async def deploy(name: str, body: DeployIn, session: SessionDep, ctx: Serving, user: Engineer) -> JSONResponse:
    outcome = await service.deploy(session, ctx, name, body.version, body.canary_weight, user.subject)
    return await _answer(session, ctx, name, outcome)


@router.put("/{name}/deployment/weight", response_model=DeploymentOut)
async def set_weight(name: str, body: WeightIn, session: SessionDep, ctx: Serving, user: Engineer) -> JSONResponse:
    return await _answer(
        session, ctx, name, await service.set_weight(session, ctx, name, body.canary_weight, user.subject)
    )


@router.post("/{name}/deployment/promote", response_model=DeploymentOut)
async def promote(name: str, session: SessionDep, ctx: Serving, user: Engineer) -> JSONResponse:
    return await _answer(session, ctx, name, await service.promote(session, ctx, name, user.subject))


@router.post("/{name}/deployment/rollback", response_model=DeploymentOut)
async def rollback(name: str, body: RollbackIn, session: SessionDep, ctx: Serving, user: Operator) -> JSONResponse:
    return await _answer(session, ctx, name, await service.rollback(session, ctx, name, user.subject, body.reason))


@router.post("/{name}/deployment/blue-green", response_model=DeploymentOut)
async def blue_green(name: str, body: VersionIn, session: SessionDep, ctx: Serving, user: Engineer) -> JSONResponse:
    return await _answer(session, ctx, name, await service.blue_green(session, ctx, name, body.version, user.subject))


@router.delete("/{name}/deployment", response_model=DeploymentOut)
async def stop(name: str, session: SessionDep, ctx: Serving, user: Operator) -> JSONResponse:
    return await _answer(session, ctx, name, await service.stop(session, ctx, name, user.subject))
