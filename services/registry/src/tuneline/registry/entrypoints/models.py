"""REST routes for registered models: catalogue, versions, lineage, lifecycle transitions, reviews, aliases, cards.

Every route names the model's team (tuneline.registry.models.access): reads need a known role of the team, changes
the route's roles in it; listings show the caller's team's models. Refusals are 403 and audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from tuneline.common.access import KNOWN_ROLES, scope_of
from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, Principal, Role, require_roles
from tuneline.common.errors import NotFound
from tuneline.registry import orchestration
from tuneline.registry.context import RegistryContextDep
from tuneline.registry.entrypoints.deployments import Serving
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

router = APIRouter(prefix="/models", tags=["models"])

#: Listings: a token with no role Tuneline knows sees nothing (the team rule needs a known role to read).
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]
Engineer = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))]
Reviewer = Annotated[Principal, Depends(require_roles(Role.REVIEWER))]
#: Governance (human review, prompt logging) is changed by admins only: the registry does not know a use case's
#: approver (intake owns that), so it cannot let "the approver" change it.
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


def _producer(request: Request) -> str:
    return str(request.app.state.settings.service_name)


@router.get("")
async def list_models(
    session: SessionDep,
    user: Member,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[ModelOut]:
    """The caller's team's models (an admin's: every team's)."""
    return [ModelOut.of(loaded) for loaded in await service.list_models(session, scope_of(user), limit, offset)]


@router.get("/{name}")
async def get_model(name: str, session: SessionDep, user: CurrentUser) -> ModelOut:
    await service.authorise(session, user, name, "read")
    return ModelOut.of(await service.load(session, name))


@router.get("/{name}/versions")
async def list_versions(name: str, session: SessionDep, user: CurrentUser) -> list[VersionOut]:
    await service.authorise(session, user, name, "read")
    loaded = await service.load(session, name)
    return [VersionOut.of(loaded.versions[n]) for n in sorted(loaded.versions)]


@router.get("/{name}/versions/{version}")
async def get_version(name: str, version: int, session: SessionDep, user: CurrentUser) -> VersionOut:
    await service.authorise(session, user, name, "read")
    loaded = await service.load(session, name)
    if version not in loaded.versions:
        raise NotFound(f"model {name!r} has no version {version}")
    return VersionOut.of(loaded.versions[version])


@router.get("/{name}/versions/{version}/lineage")
async def get_lineage(name: str, version: int, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    await service.authorise(session, user, name, "read")
    return await service.lineage(session, name, version)


@router.post("/{name}/versions/{version}/transition")
async def transition(
    name: str, version: int, body: TransitionIn, request: Request, session: SessionDep, user: Engineer
) -> VersionOut:
    await service.authorise(session, user, name, "transition", (Role.ML_ENGINEER,))
    await service.transition(session, name, version, body.stage, user.subject, body.reason, _producer(request))
    loaded = await service.load(session, name)
    return VersionOut.of(loaded.versions[version])


@router.post("/{name}/versions/{version}/review")
async def review(
    name: str, version: int, body: ReviewIn, session: SessionDep, ctx: Serving, user: Reviewer
) -> VersionOut:
    await service.authorise(session, user, name, "review", (Role.REVIEWER,))
    await orchestration.review(
        session, ctx, name, version, reviewer=user.subject, approved=body.approved, comment=body.comment
    )
    loaded = await service.load(session, name)
    return VersionOut.of(loaded.versions[version])


@router.get(
    "/{name}/versions/{version}/card",
    response_class=PlainTextResponse,
    summary="The version's model card (Markdown, Hugging Face front matter), as a README.md download",
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
)
async def download_card(name: str, version: int, session: SessionDep, user: CurrentUser) -> PlainTextResponse:
    await service.authorise(session, user, name, "read")
    text = await orchestration.model_card(session, name, version)
    return PlainTextResponse(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}-v{version}-README.md"'},
    )


@router.patch("/{name}/versions/{version}/card")
async def update_card(
    name: str, version: int, body: CardDetailsIn, session: SessionDep, user: Engineer
) -> dict[str, str]:
    await service.authorise(session, user, name, "update the card of", (Role.ML_ENGINEER,))
    await service.set_card_details(session, name, version, body.as_details(), user.subject)
    return {"status": "updated"}


@router.put("/{name}/aliases/{alias}")
async def set_alias(name: str, alias: str, body: AliasIn, session: SessionDep, user: Engineer) -> ModelOut:
    await service.authorise(session, user, name, "set an alias of", (Role.ML_ENGINEER,))
    await service.set_alias(session, name, alias, body.version, user.subject)
    return ModelOut.of(await service.load(session, name))


@router.delete("/{name}/aliases/{alias}")
async def remove_alias(name: str, alias: str, session: SessionDep, user: Engineer) -> ModelOut:
    await service.authorise(session, user, name, "remove an alias of", (Role.ML_ENGINEER,))
    await service.remove_alias(session, name, alias, user.subject)
    return ModelOut.of(await service.load(session, name))


@router.patch("/{name}/policy")
async def set_policy(
    name: str,
    body: PolicyIn,
    session: SessionDep,
    context: RegistryContextDep,
    user: Admin,
    background: BackgroundTasks,
) -> ModelOut:
    """Admin only; audited with the values before and after. Routers learn `log_prompts` after the commit."""
    await service.authorise(session, user, name, "change the policy of", (Role.ADMIN,))
    await orchestration.set_policy(session, name, body.model_dump(exclude_none=True), user.subject)
    background.add_task(context.reconciler.poke)
    return ModelOut.of(await service.load(session, name))
