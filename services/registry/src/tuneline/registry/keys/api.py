"""REST routes for inference keys: create (the key is in that response only), list by prefix or model, revoke.
Key changes are pushed to the routers of the models concerned before the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from tuneline.common.app import SessionDep
from tuneline.common.auth import Principal, Role, require_roles
from tuneline.registry.deployments import service as deployments
from tuneline.registry.deployments.api import Serving
from tuneline.registry.keys import repository as repo
from tuneline.registry.keys import service
from tuneline.registry.keys.schemas import CreatedKeyOut, KeyIn, KeyOut

router = APIRouter(prefix="/models/keys", tags=["keys"])

Manager = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))]


def _pepper(request: Request) -> bytes:
    return request.app.state.settings.key_pepper.get_secret_value().encode()


@router.post("", status_code=201)
async def create_key(body: KeyIn, request: Request, session: SessionDep, ctx: Serving, user: Manager) -> CreatedKeyOut:
    row, plaintext = await service.create(
        session,
        name=body.name,
        owner=user.subject,
        models=body.models,
        requests_per_minute=body.requests_per_minute,
        expires_at=body.expires_at,
        pepper=_pepper(request),
        fine_tuning_roles=fine_tuning_roles(user) if body.fine_tuning else frozenset(),
    )
    await deployments.sync(session, ctx)
    return CreatedKeyOut(**KeyOut.of(row).model_dump(), key=plaintext)


def fine_tuning_roles(user: Principal) -> frozenset[str]:
    """What a fine-tuning key may do on the OpenAI surface: upload data and train, as far as its creator may."""
    allowed = (Role.DATA_OWNER, Role.ML_ENGINEER)
    return frozenset(role.value for role in allowed if user.has(role))


@router.get("")
async def list_keys(
    session: SessionDep,
    _: Manager,
    prefix: Annotated[str | None, Query(max_length=20)] = None,
    model: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[KeyOut]:
    return [KeyOut.of(r) for r in await repo.list_keys(session, prefix, model, limit)]


@router.delete("/{prefix}")
async def revoke_key(prefix: str, session: SessionDep, ctx: Serving, user: Manager) -> KeyOut:
    row = await service.revoke(session, prefix, user.subject)
    await deployments.sync(session, ctx)
    return KeyOut.of(row)
