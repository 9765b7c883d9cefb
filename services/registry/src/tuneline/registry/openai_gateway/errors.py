"""Errors in OpenAI's shape {"error": {"message", "type", "param", "code"}} for every /v1 route.

The kernel's handlers answer {"error", "detail"}; the official client reads only OpenAI's shape, so /v1 routes
use OpenAIRoute, which turns every error raised while handling (auth, validation, domain) into that shape."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from tuneline.common.errors import DomainError

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code

    def response(self) -> JSONResponse:
        return JSONResponse(error_body(self.status, self.message, self.param, self.code), status_code=self.status)


def error_body(status: int, message: str, param: str | None, code: str | None) -> dict[str, Any]:
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def from_exception(exc: Exception) -> OpenAIError | None:
    if isinstance(exc, OpenAIError):
        return exc
    if isinstance(exc, HTTPException):
        code = {401: "invalid_api_key", 403: "insufficient_permissions"}.get(exc.status_code)
        return OpenAIError(exc.status_code, str(exc.detail), code=code)
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        param = ".".join(loc) or None
        return OpenAIError(400, f"{param}: {first.get('msg')}" if param else str(first.get("msg")), param=param)
    if isinstance(exc, DomainError):
        return OpenAIError(exc.status_code, exc.message, param=exc.field, code=exc.code)
    return None


class OpenAIRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                translated = from_exception(exc)
                if translated is None:
                    raise
                return translated.response()

        return handle
