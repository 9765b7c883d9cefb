"""REST routes for inference keys: create (the key is in that response only), list one's own by prefix or model,
revoke one's own (admins: anyone's), and how far serving is behind the stored key sets (`/sync`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request

from tuneline.common.app import SessionDep
from tuneline.common.auth import Principal, Role, require_roles
from tuneline.registry import orchestration
from tuneline.registry.context import RegistryContextDep
from tuneline.registry.deployments import service as deployments_service
from tuneline.registry.deployments.schemas import ServingSyncOut
from tuneline.registry.keys import service as keys_service
from tuneline.registry.keys.schemas import CreatedKeyOut, KeyIn, KeyOut

router = APIRouter(prefix="/models/keys", tags=["keys"])

Manager = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))]
Operator = Annotated[Principal, Depends(require_roles(Role.SRE))]


def _pepper(request: Request) -> bytes:
    pepper: bytes = request.app.state.settings.pepper()
    return pepper


@router.post("", status_code=201)
async def create_key(
    body: KeyIn,
    request: Request,
    session: SessionDep,
    context: RegistryContextDep,
    user: Manager,
    background: BackgroundTasks,
) -> CreatedKeyOut:
    row, plaintext = await orchestration.create_key(
        session,
        context.serving,
        actor=user,
        name=body.name,
        models=body.models,
        requests_per_minute=body.requests_per_minute,
        expires_at=body.expires_at,
        pepper=_pepper(request),
        fine_tuning_roles=fine_tuning_roles(user) if body.fine_tuning else frozenset(),
        usecase_id=body.usecase_id,
    )
    background.add_task(context.reconciler.poke)  # when serving refused it just now
    return CreatedKeyOut(**KeyOut.of(row).model_dump(), key=plaintext)


def fine_tuning_roles(user: Principal) -> frozenset[str]:
    """What a fine-tuning key may do on the OpenAI surface: upload data and train, as far as its creator may."""
    allowed = (Role.DATA_OWNER, Role.ML_ENGINEER)
    return frozenset(role.value for role in allowed if user.has(role))


@router.get("")
async def list_keys(
    session: SessionDep,
    user: Manager,
    prefix: Annotated[str | None, Query(max_length=20)] = None,
    model: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[KeyOut]:
    """The caller's own keys (an admin sees everyone's)."""
    return [KeyOut.of(r) for r in await keys_service.list_keys(session, user, prefix, model, limit)]


@router.get("/sync")
async def serving_sync(session: SessionDep, _: Operator) -> ServingSyncOut:
    """How far serving is behind the stored key sets and policies: revisions, lag, the last refusal."""
    return ServingSyncOut.of(await deployments_service.read_sync(session))


@router.delete("/{prefix}")
async def revoke_key(
    prefix: str, session: SessionDep, context: RegistryContextDep, user: Manager, background: BackgroundTasks
) -> KeyOut:
    """Revoke one's own key (an admin anyone's). It commits before serving hears of it: the serving reconciler,
    woken once the answer is committed, pushes the key set and retries until serving has applied it."""
    row = await orchestration.revoke_key(session, prefix, user)
    background.add_task(context.reconciler.poke)
    return KeyOut.of(row)
