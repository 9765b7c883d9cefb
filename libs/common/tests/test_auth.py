"""Bearer tokens, roles and mint_token, driven through a small FastAPI app over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI

from tuneline.common.app import install_error_handlers
from tuneline.common.auth import AuthError, CurrentUser, Principal, Role, mint_token, require_roles
from tuneline.common.events import utcnow
from tuneline.common.settings import ServiceSettings

SECRET = "unit-test-signing-key-0123456789abcdef"


def _settings(**overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {
        "environment": "test",
        "jwt_secret": SECRET,
        "jwt_issuer": "tl-test",
        "jwt_audience": "tl",
    }
    values.update(overrides)
    return ServiceSettings(**values)


def _app(settings: ServiceSettings) -> FastAPI:
    app = FastAPI()
    app.state.settings = settings
    install_error_handlers(app)  # a refusal is a DomainError the service app answers (and audits)

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, Any]:
        return {"subject": user.subject, "roles": sorted(user.roles), "team": user.team}

    @app.post("/train")
    async def train(
        user: Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER, Role.DATA_OWNER))],
    ) -> dict[str, str]:
        return {"by": user.subject}

    return app


@pytest.fixture
def settings() -> ServiceSettings:
    return _settings()


@pytest.fixture
async def client(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://auth.test") as c:
        yield c


def _claims(settings: ServiceSettings, **overrides: Any) -> dict[str, Any]:
    now = int(utcnow().timestamp())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "alice",
        "roles": ["ml_engineer"],
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_valid_token_yields_the_principal(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = mint_token(settings, "alice", ["ml_engineer", "viewer"], team="plant-ops")
    r = await client.get("/me", headers=_auth(token))
    assert r.status_code == 200, r.text
    assert r.json() == {"subject": "alice", "roles": ["ml_engineer", "viewer"], "team": "plant-ops"}


async def test_missing_token_is_401_with_bearer_challenge(client: httpx.AsyncClient) -> None:
    r = await client.get("/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "missing bearer token" in r.json()["detail"]


async def test_non_bearer_scheme_is_401(client: httpx.AsyncClient) -> None:
    r = await client.get("/me", headers={"Authorization": "Basic YWxpY2U6cHc="})
    assert r.status_code == 401


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", ""])
async def test_malformed_token_is_401(client: httpx.AsyncClient, token: str) -> None:
    r = await client.get("/me", headers=_auth(token))
    assert r.status_code == 401


async def test_token_signed_with_another_key_is_401(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    forged = jwt.encode(
        _claims(settings, roles=["admin"]), "some-other-signing-key-0123456789abcdef", algorithm="HS256"
    )
    r = await client.get("/me", headers=_auth(forged))
    assert r.status_code == 401
    assert "signature" in r.json()["detail"].lower()


async def test_unsigned_token_is_401(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    unsigned = jwt.encode(_claims(settings, roles=["admin"]), None, algorithm="none")
    assert (await client.get("/me", headers=_auth(unsigned))).status_code == 401


async def test_expired_token_is_401_saying_expired(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = mint_token(settings, "alice", ["ml_engineer"], ttl=timedelta(minutes=-5))
    r = await client.get("/me", headers=_auth(token))
    assert r.status_code == 401
    assert r.json()["detail"] == "token expired"


async def test_token_from_another_issuer_is_401(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = mint_token(_settings(jwt_issuer="someone-else"), "alice", ["ml_engineer"])
    r = await client.get("/me", headers=_auth(token))
    assert r.status_code == 401
    assert "issuer" in r.json()["detail"].lower()


async def test_token_for_another_audience_is_401(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = mint_token(_settings(jwt_audience="another-app"), "alice", ["ml_engineer"])
    r = await client.get("/me", headers=_auth(token))
    assert r.status_code == 401
    assert "audience" in r.json()["detail"].lower()


@pytest.mark.parametrize("claim", ["exp", "sub", "iss", "aud"])
async def test_token_missing_a_required_claim_is_401(
    client: httpx.AsyncClient, settings: ServiceSettings, claim: str
) -> None:
    token = jwt.encode(_claims(settings, **{claim: None}), SECRET, algorithm="HS256")
    assert (await client.get("/me", headers=_auth(token))).status_code == 401


async def test_wrong_role_is_403_naming_the_roles(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = mint_token(settings, "bob", ["viewer", "reviewer"])
    r = await client.post("/train", headers=_auth(token))
    assert r.status_code == 403
    assert r.json()["detail"] == "requires one of the roles: ml_engineer, data_owner"


@pytest.mark.parametrize("role", ["ml_engineer", "data_owner", "admin"])
async def test_any_listed_role_or_admin_passes(client: httpx.AsyncClient, settings: ServiceSettings, role: str) -> None:
    r = await client.post("/train", headers=_auth(mint_token(settings, "carol", [role])))
    assert r.status_code == 200, r.text
    assert r.json() == {"by": "carol"}


async def test_roles_of_other_applications_are_ignored(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = jwt.encode(_claims(settings, roles=["payroll_admin", "viewer"]), SECRET, algorithm="HS256")
    r = await client.get("/me", headers=_auth(token))
    assert r.status_code == 200
    assert r.json()["roles"] == ["viewer"]
    assert (await client.post("/train", headers=_auth(token))).status_code == 403


async def test_missing_token_on_a_role_route_is_401_not_403(client: httpx.AsyncClient) -> None:
    assert (await client.post("/train")).status_code == 401


def test_mint_token_refuses_an_unknown_role(settings: ServiceSettings) -> None:
    with pytest.raises(AuthError) as info:
        mint_token(settings, "alice", ["ml_engineer", "superuser"])
    assert "superuser" in info.value.detail
    assert "ml_engineer" in info.value.detail, "the message lists the known roles"


def test_mint_token_refuses_when_tokens_are_verified_with_a_public_key() -> None:
    settings = _settings(jwt_secret=None, jwt_public_key="-----BEGIN PUBLIC KEY-----", jwt_algorithms=["RS256"])
    with pytest.raises(AuthError, match="public key"):
        mint_token(settings, "alice", ["viewer"])


def test_principal_has_admin_passing_every_check() -> None:
    admin = Principal(subject="root", roles=frozenset({Role.ADMIN}))
    viewer = Principal(subject="v", roles=frozenset({Role.VIEWER}))
    assert admin.has(Role.SRE)
    assert viewer.has(Role.SRE, Role.VIEWER)
    assert not viewer.has(Role.SRE)


async def test_identity_provider_rs256_token_is_accepted_and_hs256_key_confusion_refused() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = _settings(environment="production", jwt_secret=None, jwt_public_key=public_pem, jwt_algorithms=["RS256"])
    transport = httpx.ASGITransport(app=_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://auth.test") as client:
        good = jwt.encode(_claims(settings, roles=["sre"]), private, algorithm="RS256")
        r = await client.get("/me", headers=_auth(good))
        assert r.status_code == 200, r.text
        assert r.json()["roles"] == ["sre"]
        # The classic attack: sign HS256 with the (public) verification key as the HMAC secret.
        import base64
        import hashlib
        import hmac
        import json

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = b64(json.dumps(_claims(settings, roles=["admin"])).encode())
        sig = b64(hmac.new(public_pem.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
        r = await client.get("/me", headers=_auth(f"{head}.{body}.{sig}"))
        assert r.status_code == 401
