"""Who is calling the OpenAI surface: a Tuneline token (JWT) or a Tuneline API key allowed to fine-tune.

Official clients send one `api_key`. Either kind works:
- a JWT from the identity provider: its subject and roles act, and it is forwarded to the other services;
- a key (`tlk_<prefix>_<secret>`) created with fine_tuning: it acts as its owner with the roles it was given
  (data_owner / ml_engineer, as far as its creator had them) and in its creator's team; the gateway mints a
  short-lived token for the calls it makes on the owner's behalf. The same key then calls the models it
  fine-tuned (their names join its scope), so one key drives files → job → chat, as with OpenAI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Request

from tuneline.common.app import SessionDep
from tuneline.common.auth import AuthError, Principal, Role, mint_token, verify_token
from tuneline.common.events import utcnow
from tuneline.registry.keys import repository as keys_repo
from tuneline.registry.keys.secrets import MalformedKey, hashes_match, parse_prefix
from tuneline.registry.openai_gateway.errors import OpenAIError
from tuneline.registry.settings import RegistrySettings

#: Lifetime of the token minted for a key's upstream calls (one request's worth, with slack for slow uploads).
UPSTREAM_TOKEN_TTL = timedelta(minutes=15)


@dataclass
class Caller:
    principal: Principal
    token: str  # bearer token for the intake, data and training services
    project: str | None  # OpenAI-Project header: the Tuneline use case the files and jobs belong to
    key_prefix: str | None = None  # set when the caller presented an API key
    key_models: frozenset[str] = frozenset()  # the models that key may call


def _unauthorized(message: str) -> OpenAIError:
    return OpenAIError(401, message, code="invalid_api_key")


async def get_caller(
    request: Request,
    session: SessionDep,
    project: Annotated[str | None, Header(alias="OpenAI-Project")] = None,
) -> Caller:
    """A caller allowed to use files and fine-tuning jobs."""
    return await _identify(request, session, project, fine_tuning=True)


async def get_reader(request: Request, session: SessionDep) -> Caller:
    """Any valid token or key (an inference key too): for listing the models the caller may call."""
    return await _identify(request, session, None, fine_tuning=False)


async def _identify(request: Request, session: SessionDep, project: str | None, *, fine_tuning: bool) -> Caller:
    settings: RegistrySettings = request.app.state.settings
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        raise _unauthorized("an API key is required: Authorization: Bearer <Tuneline token or key>")
    try:
        prefix = parse_prefix(presented)
    except MalformedKey:
        prefix = None
    if prefix is None:
        try:
            principal = verify_token(settings, presented)
        except AuthError as exc:
            raise _unauthorized(exc.detail) from exc
        return Caller(principal=principal, token=presented, project=project)
    return await _key_caller(session, settings, prefix, presented, project, fine_tuning)


async def _key_caller(
    session: SessionDep,
    settings: RegistrySettings,
    prefix: str,
    presented: str,
    project: str | None,
    fine_tuning: bool,
) -> Caller:
    row = await keys_repo.get(session, prefix)
    pepper = settings.pepper()
    if row is None or not hashes_match(presented, row.key_hash, pepper):
        raise _unauthorized("API key not recognised")
    now = utcnow()
    if row.revoked_at is not None:
        raise _unauthorized(f"API key {prefix} was revoked")
    if row.expires_at is not None and now >= row.expires_at:
        raise _unauthorized(f"API key {prefix} expired at {row.expires_at.isoformat()}")
    models = frozenset(row.models)
    if not fine_tuning:
        principal = Principal(subject=row.owner, roles=frozenset())
        return Caller(principal=principal, token="", project=None, key_prefix=prefix, key_models=models)
    if not row.fine_tuning_roles:
        raise OpenAIError(
            403,
            f"API key {prefix} is an inference key; create a key with fine_tuning to use files and fine-tuning jobs",
            code="insufficient_permissions",
        )
    if row.usecase_id is not None:  # a key bound to one use case acts there, whatever the client sends
        if project is not None and project.strip() != str(row.usecase_id):
            raise OpenAIError(
                403,
                f"API key {prefix} is bound to use case {row.usecase_id}; it cannot act on project {project!r}",
                param="project",
                code="project_not_allowed",
            )
        project = str(row.usecase_id)
    roles = sorted(row.fine_tuning_roles)
    try:
        token = mint_token(settings, row.owner, roles, ttl=UPSTREAM_TOKEN_TTL, team=row.team, extra={"key": prefix})
    except AuthError as exc:  # an external identity provider signs tokens: keys cannot act for people here
        raise OpenAIError(403, f"API keys cannot fine-tune on this deployment: {exc.detail}") from exc
    principal = Principal(subject=row.owner, roles=frozenset(Role(r) for r in roles), team=row.team)
    return Caller(principal=principal, token=token, project=project, key_prefix=prefix, key_models=models)


CallerDep = Annotated[Caller, Depends(get_caller)]
ReaderDep = Annotated[Caller, Depends(get_reader)]
