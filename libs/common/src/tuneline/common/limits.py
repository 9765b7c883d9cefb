"""Request body limits, enforced before a body is read, and authentication checked before a large body is taken.

It also refuses a path or query parameter holding a NUL character (422 naming the parameter): PostgreSQL's text
types cannot store one, so such a value would otherwise fail deep inside a query.

An ASGI middleware (not a FastAPI dependency: FastAPI reads a request's body before it resolves dependencies, so
a dependency would see a 2 GB body only after receiving it). Each request falls in one route class with its own
limit and setting:

| class     | routes                                                   | setting                          |
|-----------|----------------------------------------------------------|----------------------------------|
| json      | everything else (REST commands, forms)                   | TUNELINE_MAX_JSON_BODY_BYTES     |
| upload    | multipart uploads and upload parts (`.../parts/{n}`)     | TUNELINE_MAX_UPLOAD_BODY_BYTES   |
| files     | OpenAI-compatible `/v1/files`                            | TUNELINE_MAX_FILES_BODY_BYTES    |
| inference | OpenAI-compatible `/v1/...` (chat, completions, ...)     | TUNELINE_MAX_INFERENCE_BODY_BYTES|

A declared Content-Length over the limit is answered 413 at once; a chunked body is counted as it streams and
stopped with 413 the moment it passes the limit. A body larger than `auth_before_bytes` is accepted only after
its bearer credential was checked (401 otherwise), so an anonymous client cannot make a service read megabytes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
#: Checks a request's credential from its headers: None when accepted, else the reason for a 401.
Authenticator = Callable[[Scope], str | None]

MIB = 1024 * 1024


@dataclass(frozen=True)
class BodyLimits:
    json: int = MIB
    upload: int = 64 * MIB
    files: int = 512 * MIB
    inference: int = MIB
    #: Bodies above this size need a credential that checks out before they are read.
    auth_before_bytes: int = 64 * 1024

    def classify(self, scope: Scope) -> tuple[str, int, str]:
        """(route class, limit, setting that sets it) for one request."""
        path: str = scope.get("path", "")
        content_type = _header(scope, b"content-type") or ""
        if path.startswith("/v1/files"):
            return "files", self.files, "TUNELINE_MAX_FILES_BODY_BYTES"
        if path.startswith("/v1/"):
            return "inference", self.inference, "TUNELINE_MAX_INFERENCE_BODY_BYTES"
        if content_type.startswith("multipart/form-data") or "/parts/" in path:
            return "upload", self.upload, "TUNELINE_MAX_UPLOAD_BODY_BYTES"
        return "json", self.json, "TUNELINE_MAX_JSON_BODY_BYTES"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limits: BodyLimits, authenticate: Authenticator | None = None) -> None:
        self.app = app
        self.limits = limits
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (field := nul_in_url(scope)) is not None:
            # No text column (PostgreSQL) can hold a NUL: refused here, naming the parameter, not deep in a query.
            detail = f"{field}: contains a NUL character (\\x00), which no text value may hold"
            await _answer(send, 422, "invalid_input", detail, field=field)
            return
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        kind, limit, setting = self.limits.classify(scope)
        declared = _header(scope, b"content-length")
        try:
            length = int(declared) if declared is not None else None
        except ValueError:
            await _answer(send, 400, "invalid_input", "Content-Length is not a number")
            return
        if (
            length is None
            and _header(scope, b"transfer-encoding") is None
            and scope.get("http_version") in ("1.0", "1.1")
        ):
            length = 0  # HTTP/1.x: neither a length nor chunked encoding means the request has no body
        too_large = f"the {kind} request body exceeds the limit of {limit} bytes ({setting})"
        if length is not None and length > limit:
            await _answer(send, 413, "too_large", too_large)
            return
        if self.authenticate is not None and (length is None or length > self.limits.auth_before_bytes):
            refused = self.authenticate(scope)
            if refused is not None:
                await _answer(send, 401, "unauthorized", refused, {"www-authenticate": "Bearer"})
                return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _BodyTooLarge:
            if started:
                raise
            await _answer(send, 413, "too_large", too_large)


def nul_in_url(scope: Scope) -> str | None:
    """The path or the first query parameter (by name) that holds a NUL character, percent-encoded or not."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query = bytes(scope.get("query_string", b""))
    if b"%00" not in query and b"\x00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in value or "\x00" in name:
            return name.replace("\x00", "") or "query"
    return None


async def _answer(
    send: Send,
    status: int,
    error: str,
    detail: str,
    headers: dict[str, str] | None = None,
    *,
    field: str | None = None,
) -> None:
    body = json.dumps({"error": error, "detail": detail} | ({"field": field} if field else {})).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def bearer_present(scope: Scope) -> str | None:
    """The cheapest check (for apps that verify keys themselves, like the serving router): a bearer credential."""
    value = _header(scope, b"authorization") or ""
    scheme, _, credential = value.partition(" ")
    return None if scheme.lower() == "bearer" and credential.strip() else "missing bearer token"
