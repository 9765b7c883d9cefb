"""Body limits answer 413 before a body is read, and a large body needs a credential first."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request

from tuneline.common.app import bearer_checker
from tuneline.common.auth import mint_token
from tuneline.common.limits import BodyLimitMiddleware
from tuneline.common.settings import ServiceSettings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_app(settings: ServiceSettings, seen: list[int]) -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    @app.put("/datasets/d/uploads/u/parts/1")
    @app.post("/v1/chat/completions")
    async def echo(request: Request) -> dict[str, int]:
        size = len(await request.body())
        seen.append(size)
        return {"size": size}

    app.add_middleware(BodyLimitMiddleware, limits=settings.body_limits(), authenticate=bearer_checker(settings))
    return app


@pytest.fixture
def settings() -> ServiceSettings:
    return ServiceSettings(
        environment="test",
        max_json_body_bytes=2048,
        max_upload_body_bytes=8192,
        max_inference_body_bytes=4096,
        auth_before_body_bytes=1024,
    )


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def auth(settings: ServiceSettings) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, 'alice', ['data_owner'])}"}


async def test_declared_length_over_the_limit_is_refused_unread_naming_the_setting(settings) -> None:
    seen: list[int] = []
    async with client(make_app(settings, seen)) as c:
        r = await c.post("/echo", content=b"x" * 3000, headers=auth(settings))
        assert r.status_code == 413
        assert r.json()["detail"] == (
            "the json request body exceeds the limit of 2048 bytes (TUNELINE_MAX_JSON_BODY_BYTES)"
        )
        ok = await c.post("/echo", content=b"x" * 2000, headers=auth(settings))
        assert ok.status_code == 200 and seen == [2000]


async def test_each_route_class_has_its_own_limit(settings) -> None:
    seen: list[int] = []
    async with client(make_app(settings, seen)) as c:
        part = await c.put("/datasets/d/uploads/u/parts/1", content=b"x" * 6000, headers=auth(settings))
        assert part.status_code == 200
        too_big = await c.put("/datasets/d/uploads/u/parts/1", content=b"x" * 9000, headers=auth(settings))
        assert too_big.status_code == 413 and "TUNELINE_MAX_UPLOAD_BODY_BYTES" in too_big.json()["detail"]
        chat = await c.post("/v1/chat/completions", content=b"x" * 5000, headers={"Authorization": "Bearer sk-key"})
        assert chat.status_code == 413 and "TUNELINE_MAX_INFERENCE_BODY_BYTES" in chat.json()["detail"]
        assert seen == [6000]


async def test_a_streamed_body_is_stopped_as_soon_as_it_passes_the_limit(settings) -> None:
    seen: list[int] = []
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 1000
            yield b"x" * 1000

    async with client(make_app(settings, seen)) as c:
        r = await c.post("/echo", content=chunks(), headers=auth(settings))
        assert r.status_code == 413 and seen == []


async def test_a_large_body_without_a_valid_credential_gets_401_before_it_is_read(settings) -> None:
    seen: list[int] = []
    async with client(make_app(settings, seen)) as c:
        anonymous = await c.post("/echo", content=b"x" * 1500)
        forged = await c.post("/echo", content=b"x" * 1500, headers={"Authorization": "Bearer not-a-token"})
        assert (anonymous.status_code, forged.status_code) == (401, 401)
        assert anonymous.json()["detail"] == "missing bearer token"
        small = await c.post("/echo", content=b"x" * 100)  # small bodies: the route's own auth answers
        assert small.status_code == 200
        assert seen == [100]


async def test_a_post_without_a_body_reaches_the_route_and_a_chunked_one_needs_a_credential(settings) -> None:
    seen: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b"x" * 10

    async with client(make_app(settings, seen)) as c:
        bodyless = await c.post("/echo")  # no Content-Length, no chunked encoding: HTTP/1.1 says no body
        assert bodyless.status_code == 200 and seen == [0]
        chunked = await c.post("/echo", content=chunks())  # length unknown until read: the credential comes first
        assert chunked.status_code == 401 and seen == [0]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/echo?name=ok&topic=a%00b", "topic"),
        ("/echo?x%00=1", "x"),
        ("/echo%00", "path"),
    ],
)
async def test_a_nul_in_the_url_is_refused_naming_the_parameter(settings, path: str, field: str) -> None:
    seen: list[int] = []
    async with client(make_app(settings, seen)) as c:
        r = await c.post(path, content=b"{}", headers=auth(settings))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and "NUL" in r.json()["detail"]
    assert seen == []


async def test_percent_signs_and_plain_text_in_the_query_pass(settings) -> None:
    seen: list[int] = []
    async with client(make_app(settings, seen)) as c:
        r = await c.post("/echo?q=100%25&name=a%200b", content=b"{}", headers=auth(settings))
    assert r.status_code == 200, r.text
