"""Bearer-token authentication, roles and the audit log.

Every endpoint needs a JWT from the configured issuer. In development the platform is its own issuer (HS256 with
TUNELINE_JWT_SECRET, generated in the state directory when unset; `tuneline token` mints one); in production
tokens come from the organisation's identity provider and are checked with its public key. Roles travel in the
``roles`` claim.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.db import AuditRecord
from tuneline.common.errors import AccessDenied
from tuneline.common.events import utcnow
from tuneline.common.observability import current_trace_id
from tuneline.common.settings import ServiceSettings


class Role(StrEnum):
    ADMIN = "admin"
    DATA_OWNER = "data_owner"
    ML_ENGINEER = "ml_engineer"
    REVIEWER = "reviewer"
    VIEWER = "viewer"
    SRE = "sre"
    SERVICE = "service"


class Principal(BaseModel):
    """The authenticated caller."""

    subject: str
    roles: frozenset[Role] = Field(default_factory=frozenset)
    team: str | None = None
    email: str | None = None

    def has(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)


class AuthError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def mint_token(
    settings: ServiceSettings,
    subject: str,
    roles: list[str] | tuple[str, ...],
    *,
    ttl: timedelta = timedelta(hours=12),
    team: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """A token from the dev issuer (HS256). Production tokens come from the real identity provider."""
    if settings.jwt_secret is None:
        raise AuthError("this deployment verifies tokens with a public key; mint tokens with its identity provider")
    unknown = [r for r in roles if r not in Role.__members__.values()]
    if unknown:
        raise AuthError(f"unknown role(s): {', '.join(unknown)}; known: {', '.join(r.value for r in Role)}")
    now = utcnow()
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject,
        "roles": list(roles),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if team:
        claims["team"] = team
    claims.update(extra or {})
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def verify_token(settings: ServiceSettings, token: str) -> Principal:
    key: str
    if settings.jwt_public_key:
        key = settings.jwt_public_key
    elif settings.jwt_secret is not None:
        key = settings.jwt_secret.get_secret_value()
    else:  # pragma: no cover - settings validation prevents this
        raise AuthError("no token verification key configured")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=settings.jwt_algorithms,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("token expired") from exc
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"invalid token: {exc}") from exc
    roles = set()
    for r in claims.get("roles", []):
        try:
            roles.add(Role(r))
        except ValueError:
            continue  # roles of other applications in a shared identity provider are ignored
    return Principal(
        subject=str(claims["sub"]), roles=frozenset(roles), team=claims.get("team"), email=claims.get("email")
    )


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    settings: ServiceSettings = request.app.state.settings
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        principal = verify_token(settings, credentials.credentials)
    except AuthError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, exc.detail, headers={"WWW-Authenticate": "Bearer"}) from exc
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller must hold one of `roles` (admin always passes)."""

    async def check(request: Request, principal: CurrentUser) -> Principal:
        if not principal.has(*roles):
            raise AccessDenied(
                f"requires one of the roles: {', '.join(r.value for r in roles)}",
                actor=principal.subject,
                action=f"{request.method} {request.url.path}",
                resource_type="route",
                resource_id=request.url.path,
            )
        return principal

    return check


async def audit(
    session: AsyncSession,
    actor: Principal | str,
    action: str,
    resource_type: str,
    resource_id: object,
    **details: Any,
) -> None:
    """Record an operation in the service's audit log, inside the caller's transaction. Never pass record contents."""
    session.add(
        AuditRecord(
            occurred_at=utcnow(),
            actor=actor.subject if isinstance(actor, Principal) else actor,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id),
            details=details,
            trace_id=current_trace_id(),
        )
    )
