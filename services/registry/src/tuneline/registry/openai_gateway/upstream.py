"""HTTP calls to the intake, data and training services on the caller's behalf (their bearer token forwarded)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from tuneline.registry.openai_gateway.errors import OpenAIError
from tuneline.registry.settings import RegistrySettings

_RETRY = frozenset({502, 503, 504})


class UpstreamError(Exception):
    def __init__(self, service: str, status: int, body: Any) -> None:
        self.service = service
        self.status = status
        self.body = body
        detail = body.get("detail") if isinstance(body, dict) else body
        self.detail = str(detail)
        self.field = body.get("field") if isinstance(body, dict) else None
        super().__init__(f"{service} answered {status}: {self.detail}")

    def to_openai(self, param: str | None = None) -> OpenAIError:
        """401/403 keep their status; other client errors become 400 naming `param`; 5xx stay server errors."""
        if self.status in (401, 403, 404):
            return OpenAIError(self.status, f"{self.service}: {self.detail}", param=param)
        if self.status >= 500:
            return OpenAIError(502, f"{self.service} service failed: {self.detail}", code="upstream_error")
        return OpenAIError(400, f"{self.service}: {self.detail}", param=param, code="invalid_value")


@dataclass
class Upstreams:
    """One async client per service; `transport` lets tests route to in-process apps."""

    intake: httpx.AsyncClient
    data: httpx.AsyncClient
    training: httpx.AsyncClient
    inference: httpx.AsyncClient  # Ray Serve endpoints, addressed by absolute URL

    @classmethod
    def from_settings(cls, settings: RegistrySettings, transport: httpx.AsyncBaseTransport | None = None) -> Upstreams:
        def client(url: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(base_url=url, timeout=120.0, transport=transport)

        return cls(
            client(settings.intake_url),
            client(settings.data_url),
            client(settings.training_url),
            httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=600.0), transport=transport),
        )

    async def close(self) -> None:
        for c in (self.intake, self.data, self.training, self.inference):
            await c.aclose()


async def call(
    client: httpx.AsyncClient, service: str, token: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """One request; connection errors and 502-504 are retried briefly for idempotent methods only."""
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    attempts = 3 if method in ("GET", "DELETE") else 1
    for attempt in range(1, attempts + 1):
        try:
            response = await client.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            if attempt == attempts:
                raise OpenAIError(502, f"{service} service unreachable: {exc}", code="upstream_unreachable") from exc
            await asyncio.sleep(0.2 * attempt)
            continue
        if response.status_code in _RETRY and attempt < attempts:
            await asyncio.sleep(0.2 * attempt)
            continue
        return response
    raise AssertionError("unreachable")  # pragma: no cover


async def call_json(client: httpx.AsyncClient, service: str, token: str, method: str, path: str, **kwargs: Any) -> Any:
    response = await call(client, service, token, method, path, **kwargs)
    if response.status_code >= 400:
        raise UpstreamError(service, response.status_code, _body(response))
    return response.json() if response.content else None


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
