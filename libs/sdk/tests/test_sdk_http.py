"""The SDK's HTTP layer: retries with backoff on 5xx/429, no retry of unsafe requests, errors name the field."""

from __future__ import annotations

import httpx
import pytest

from tuneline.sdk.http import ApiError, ServiceClient


def _client(handler, **kw) -> ServiceClient:
    return ServiceClient("http://svc", "tok", transport=httpx.MockTransport(handler), backoff_s=0.001, **kw)


def test_get_is_retried_on_503_and_429_then_succeeds() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503, json={"detail": "busy"})
        if len(calls) == 2:
            return httpx.Response(429, json={"detail": "slow down"}, headers={"Retry-After": "0"})
        return httpx.Response(200, json={"ok": True})

    assert _client(handler).request("GET", "/things") == {"ok": True}
    assert len(calls) == 3
    assert calls[0].headers["Authorization"] == "Bearer tok"


def test_post_without_idempotency_key_is_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, json={"detail": "busy"})

    with pytest.raises(ApiError) as err:
        _client(handler).request("POST", "/things", json={})
    assert err.value.status == 503
    assert len(calls) == 1


def test_post_with_idempotency_key_is_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(502) if len(calls) < 2 else httpx.Response(201, json={"id": "1"})

    assert _client(handler).request("POST", "/things", json={}, headers={"Idempotency-Key": "k"}) == {"id": "1"}
    assert len(calls) == 2


def test_gives_up_after_max_retries() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, json={"detail": "boom"})

    with pytest.raises(ApiError):
        _client(handler, max_retries=2).request("GET", "/x")
    assert len(calls) == 3


def test_error_names_the_field_at_fault() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"error": "invalid_input", "detail": "title: required", "field": "title"})

    with pytest.raises(ApiError) as err:
        _client(handler).request("POST", "/usecases", json={})
    assert err.value.field == "title"
    assert "title: required" in str(err.value)


def test_paginate_follows_cursors_and_offsets() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        if cursor is None:
            return httpx.Response(200, json={"items": [1, 2], "next_cursor": "c2"})
        return httpx.Response(200, json={"items": [3], "next_cursor": None})

    assert list(_client(handler).paginate("/things")) == [1, 2, 3]

    def by_offset(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        data = list(range(5))[offset : offset + 2]
        return httpx.Response(200, json={"items": data, "total": 5})

    assert list(_client(by_offset).paginate("/things", page_size=2)) == [0, 1, 2, 3, 4]
