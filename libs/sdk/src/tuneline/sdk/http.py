"""The HTTP layer of the SDK: bearer auth, retries with backoff on 5xx/429 and connection errors, pagination."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class ApiError(Exception):
    """A service answered with an error; `field` names the input at fault when the service said so."""

    def __init__(self, status: int, body: Any, method: str, url: str) -> None:
        self.status = status
        self.body = body
        self.field = body.get("field") if isinstance(body, dict) else None
        detail = body.get("detail") if isinstance(body, dict) else body
        super().__init__(f"{method} {url} → {status}: {detail}")


class ServiceClient:
    """One service's API. Retries idempotent requests and requests that carry an Idempotency-Key."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout_s: float = 30.0,
        max_retries: int = 4,
        backoff_s: float = 0.25,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout_s, transport=transport)
        self._max_retries = max_retries
        self._backoff_s = backoff_s

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        files: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        retry: bool | None = None,
        content: bytes | None = None,
    ) -> Any:
        response = self.raw(
            method,
            path,
            json=json,
            params=params,
            files=files,
            data=data,
            headers=headers,
            retry=retry,
            content=content,
        )
        if not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text

    def raw(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        files: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        retry: bool | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS") or bool(
            headers and "Idempotency-Key" in headers
        )
        may_retry = idempotent if retry is None else retry
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(
                    method,
                    path,
                    json=json,
                    params=_clean(params),
                    files=files,
                    data=data,
                    content=content,
                    headers=headers,
                )
            except httpx.TransportError:
                if not may_retry or attempt > self._max_retries:
                    raise
                self._sleep(attempt, None)
                continue
            if response.status_code in RETRY_STATUSES and may_retry and attempt <= self._max_retries:
                self._sleep(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code >= 400:
                try:
                    body: Any = response.json()
                except ValueError:
                    body = response.text
                raise ApiError(response.status_code, body, method, str(response.request.url))
            return response

    def stream_lines(
        self, path: str, *, params: dict[str, Any] | None = None, timeout_s: float | None = None
    ) -> Iterator[str]:
        """GET a streamed answer (server-sent events, logs) line by line; not retried once it has started."""
        timeout = httpx.Timeout(self._http.timeout.connect, read=timeout_s) if timeout_s else None
        request = self._http.build_request("GET", path, params=_clean(params))
        if timeout is not None:
            request.extensions["timeout"] = timeout.as_dict()
        response = self._http.send(request, stream=True)
        try:
            if response.status_code >= 400:
                response.read()
                try:
                    body: Any = response.json()
                except ValueError:
                    body = response.text
                raise ApiError(response.status_code, body, "GET", str(request.url))
            yield from response.iter_lines()
        finally:
            response.close()

    def download(self, path: str, target: Path, *, params: dict[str, Any] | None = None) -> httpx.Headers:
        """GET a file into `target`, streamed (a model's weights do not fit in memory twice): written beside it and
        renamed once complete, so a refused or broken download leaves nothing half-written. Not retried."""
        request = self._http.build_request("GET", path, params=_clean(params))
        request.extensions["timeout"] = httpx.Timeout(self._http.timeout.connect, read=None).as_dict()
        partial = target.with_name(f".{target.name}.partial")
        response = self._http.send(request, stream=True)
        try:
            if response.status_code >= 400:
                response.read()
                try:
                    body: Any = response.json()
                except ValueError:
                    body = response.text
                raise ApiError(response.status_code, body, "GET", str(request.url))
            with partial.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    out.write(chunk)
            partial.replace(target)
            return response.headers
        finally:
            response.close()
            partial.unlink(missing_ok=True)

    def paginate(self, path: str, *, params: dict[str, Any] | None = None, page_size: int = 100) -> Iterator[Any]:
        """Follow `next_cursor` (or `offset`) pages: yields items until the service says there are no more."""
        query = dict(params or {})
        query.setdefault("limit", page_size)
        offset = 0
        while True:
            page = self.request("GET", path, params=query)
            items = page.get("items", []) if isinstance(page, dict) else page
            yield from items
            cursor = page.get("next_cursor") if isinstance(page, dict) else None
            if cursor:
                query["cursor"] = cursor
                continue
            if isinstance(page, dict) and page.get("total") is not None and items:
                offset += len(items)
                if offset < int(page["total"]):
                    query["offset"] = offset
                    continue
            return

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        if retry_after:
            try:
                time.sleep(min(30.0, float(retry_after)))
                return
            except ValueError:
                pass
        time.sleep(min(10.0, self._backoff_s * 2 ** (attempt - 1)) * (0.5 + random.random() / 2))


def _clean(params: dict[str, Any] | None) -> dict[str, Any] | None:
    return {k: v for k, v in params.items() if v is not None} if params else None
