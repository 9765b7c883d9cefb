"""The web console's development sign-in and its CORS allowance, through a service app built by the factory."""

from __future__ import annotations

import httpx
import pytest

from tuneline.common.app import create_service_app
from tuneline.common.auth import verify_token
from tuneline.common.settings import ServiceSettings

pytestmark = pytest.mark.unit

CONSOLE = "http://127.0.0.1:8100"


def _client(settings: ServiceSettings, client_host: str = "127.0.0.1") -> httpx.AsyncClient:
    app = create_service_app(settings, title="probe", description="probe")
    transport = httpx.ASGITransport(app=app, client=(client_host, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://probe")


async def test_dev_sign_in_mints_a_short_lived_token_with_the_chosen_roles() -> None:
    settings = ServiceSettings(environment="development")
    async with _client(settings) as client:
        answer = await client.post("/auth/dev-token", json={"subject": "ada", "roles": ["reviewer", "viewer"]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 3600
    principal = verify_token(settings, body["access_token"])
    assert principal.subject == "ada"
    assert {r.value for r in principal.roles} == {"reviewer", "viewer"}


async def test_dev_sign_in_refuses_callers_from_another_machine() -> None:
    async with _client(ServiceSettings(environment="development"), client_host="10.1.2.3") as client:
        answer = await client.post("/auth/dev-token", json={"subject": "ada", "roles": ["admin"]})
    assert answer.status_code == 403
    assert "this machine" in answer.json()["detail"]


async def test_dev_sign_in_names_an_unknown_role() -> None:
    async with _client(ServiceSettings(environment="development")) as client:
        answer = await client.post("/auth/dev-token", json={"subject": "ada", "roles": ["wizard"]})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"].startswith("roles")


async def test_dev_sign_in_does_not_exist_in_production() -> None:
    settings = ServiceSettings(environment="production", jwt_secret="a-real-production-signing-key-0123456789")
    async with _client(settings) as client:
        answer = await client.post("/auth/dev-token", json={"subject": "ada", "roles": ["admin"]})
    assert answer.status_code == 404


async def test_dev_sign_in_is_not_in_the_openapi_document() -> None:
    app = create_service_app(ServiceSettings(environment="development"), title="probe", description="probe")
    assert "/auth/dev-token" not in app.openapi()["paths"]


async def test_allows_the_configured_console_origin_and_no_other() -> None:
    settings = ServiceSettings(environment="development", cors_origins=[CONSOLE])
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    async with _client(settings) as client:
        allowed = await client.options("/healthz", headers={"Origin": CONSOLE, **preflight})
        other = await client.options("/healthz", headers={"Origin": "http://evil.example", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == CONSOLE
    assert "access-control-allow-origin" not in other.headers


async def test_sends_no_cors_headers_without_configured_origins() -> None:
    async with _client(ServiceSettings(environment="development")) as client:
        answer = await client.get("/healthz", headers={"Origin": CONSOLE})
    assert "access-control-allow-origin" not in answer.headers
