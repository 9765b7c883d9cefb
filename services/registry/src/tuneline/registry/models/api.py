"""REST routes for registered models: catalogue, versions, lineage, lifecycle transitions, reviews, aliases, cards."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, Role, require_roles
from tuneline.common.errors import NotFound
from tuneline.registry.deployments.api import Serving
from tuneline.registry.models import repository as repo
from tuneline.registry.models import service
from tuneline.registry.models.schemas import (
    AliasIn,
    CardDetailsIn,
    ModelOut,
    PolicyIn,
    ReviewIn,
    TransitionIn,
    VersionOut,
)
from tuneline.registry.openai_gateway import release as openai_release

router = APIRouter(prefix="/models", tags=["models"])

Engineer = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))]
Reviewer = Annotated[Principal, Depends(require_roles(Role.REVIEWER))]


def _producer(request: Request) -> str:
    return str(request.app.state.settings.service_name)


@router.get("")
async def list_models(
    session: SessionDep, _: CurrentUser, limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: int = 0
) -> list[ModelOut]:
    return [ModelOut.of(await repo.load(session, row)) for row in await repo.list_models(session, limit, offset)]


@router.get("/{name}")
async def get_model(name: str, session: SessionDep, _: CurrentUser) -> ModelOut:
    return ModelOut.of(await service.load(session, name))


@router.get("/{name}/versions")
async def list_versions(name: str, session: SessionDep, _: CurrentUser) -> list[VersionOut]:
    loaded = await service.load(session, name)
    return [VersionOut.of(loaded.versions[n]) for n in sorted(loaded.versions)]


@router.get("/{name}/versions/{version}")
async def get_version(name: str, version: int, session: SessionDep, _: CurrentUser) -> VersionOut:
    loaded = await service.load(session, name)
    if version not in loaded.versions:
        raise NotFound(f"model {name!r} has no version {version}")
    return VersionOut.of(loaded.versions[version])


@router.get("/{name}/versions/{version}/lineage")
async def get_lineage(name: str, version: int, session: SessionDep, _: CurrentUser) -> dict[str, Any]:
    return await service.lineage(session, name, version)


@router.post("/{name}/versions/{version}/transition")
async def transition(
    name: str, version: int, body: TransitionIn, request: Request, session: SessionDep, user: Engineer
) -> VersionOut:
    await service.transition(session, name, version, body.stage, user.subject, body.reason, _producer(request))
    loaded = await service.load(session, name)
    return VersionOut.of(loaded.versions[version])


@router.post("/{name}/versions/{version}/review")
async def review(
    name: str, version: int, body: ReviewIn, session: SessionDep, ctx: Serving, user: Reviewer
) -> VersionOut:
    await service.record_review(session, name, version, user.subject, body.approved, body.comment)
    # A fine-tune started through the OpenAI API waits for this approval to be served.
    await openai_release.on_reviewed(session, ctx, name, version, body.approved)
    loaded = await service.load(session, name)
    return VersionOut.of(loaded.versions[version])


@router.get("/{name}/versions/{version}/card", response_class=PlainTextResponse)
async def download_card(name: str, version: int, session: SessionDep, _: CurrentUser) -> PlainTextResponse:
    text = await service.card(session, name, version)
    return PlainTextResponse(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}-v{version}-README.md"'},
    )


@router.patch("/{name}/versions/{version}/card")
async def update_card(
    name: str, version: int, body: CardDetailsIn, session: SessionDep, user: Engineer
) -> dict[str, str]:
    await service.set_card_details(session, name, version, body.as_details(), user.subject)
    return {"status": "updated"}


@router.put("/{name}/aliases/{alias}")
async def set_alias(name: str, alias: str, body: AliasIn, session: SessionDep, user: Engineer) -> ModelOut:
    await service.set_alias(session, name, alias, body.version, user.subject)
    return ModelOut.of(await service.load(session, name))


@router.delete("/{name}/aliases/{alias}")
async def remove_alias(name: str, alias: str, session: SessionDep, user: Engineer) -> ModelOut:
    await service.remove_alias(session, name, alias, user.subject)
    return ModelOut.of(await service.load(session, name))


@router.patch("/{name}/policy")
async def set_policy(name: str, body: PolicyIn, session: SessionDep, user: Engineer) -> ModelOut:
    await service.set_policy(session, name, body.model_dump(exclude_none=True), user.subject)
    return ModelOut.of(await service.load(session, name))
