"""What every per-service client shares: the HTTP client, response parsing, offset-paged lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from tuneline.sdk.http import ServiceClient

M = TypeVar("M", bound=BaseModel)


class Model(BaseModel):
    """A service's answer. Unknown fields are kept, so a newer service never breaks an older SDK."""

    model_config = ConfigDict(extra="allow", protected_namespaces=(), populate_by_name=True)


def parse(model: type[M], body: Any) -> M:
    return model.model_validate(body)


def parse_list(model: type[M], body: Any) -> list[M]:
    if isinstance(body, dict) and "items" in body:
        body = body["items"]
    if not isinstance(body, list):
        raise TypeError(f"expected a list of {model.__name__}, got {type(body).__name__}")
    return [model.model_validate(item) for item in body]


class Resource:
    """Base of a per-service client: one ServiceClient to one service."""

    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    def _get(self, model: type[M], path: str, params: dict[str, Any] | None = None) -> M:
        return parse(model, self.http.request("GET", path, params=params))

    def _post(self, model: type[M], path: str, json: Any = None) -> M:
        return parse(model, self.http.request("POST", path, json=json))

    def _offset_pages(
        self, model: type[M], path: str, params: dict[str, Any] | None = None, *, page_size: int, limit: int | None
    ) -> Iterator[M]:
        """Services that answer a plain list with limit/offset: fetch pages until one comes back short."""
        query = dict(params or {})
        offset, seen = 0, 0
        while True:
            size = page_size if limit is None else min(page_size, limit - seen)
            if size <= 0:
                return
            page = parse_list(model, self.http.request("GET", path, params={**query, "limit": size, "offset": offset}))
            yield from page
            seen += len(page)
            offset += len(page)
            if len(page) < size:
                return
