"""The development sign-in: the web console picks a person and roles and gets a short-lived dev-issuer token.

It exists only where the platform is its own token issuer (development and test, never production) and answers
only callers on this machine, so it adds nothing `tuneline token` could not already do for someone with a shell.
The route is left out of the OpenAPI documents: it is not part of any service's public contract.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from tuneline.common.auth import AuthError, Role, mint_token
from tuneline.common.settings import ServiceSettings

#: A console session is short: a lost tab's token is worthless within the hour.
DEV_TOKEN_TTL = timedelta(hours=1)


class DevSignIn(BaseModel):
    subject: str = Field(min_length=1, max_length=200, description="Who signs in, e.g. 'ada@plant.example'.")
    roles: list[Role] = Field(min_length=1, description="Roles of the session.")
    team: str | None = Field(default=None, max_length=100)


class DevToken(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def dev_sign_in_router() -> APIRouter:
    router = APIRouter(tags=["development"])

    @router.post("/auth/dev-token", include_in_schema=False)
    async def dev_token(body: DevSignIn, request: Request) -> DevToken:
        settings: ServiceSettings = request.app.state.settings
        if settings.environment == "production":  # the router is not mounted then; a second lock on the door
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
        if not _loopback(request):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "the development sign-in answers only this machine")
        try:
            token = mint_token(settings, body.subject, [r.value for r in body.roles], ttl=DEV_TOKEN_TTL, team=body.team)
        except AuthError as exc:
            raise HTTPException(status.HTTP_403_FORBIDDEN, exc.detail) from exc
        return DevToken(access_token=token, expires_in=int(DEV_TOKEN_TTL.total_seconds()))

    return router
