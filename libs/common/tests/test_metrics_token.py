"""/metrics names every team's models: with TUNELINE_METRICS_TOKEN set, only the scraper's token reads it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tuneline.common.app import _ops_router
from tuneline.common.settings import ServiceSettings


def _app(**settings: object) -> FastAPI:
    app = FastAPI()
    app.state.settings = ServiceSettings(environment="test", **settings)
    app.include_router(_ops_router())
    return app


async def _get(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.get("/metrics", headers=headers or {})


async def test_without_a_token_configured_metrics_are_open() -> None:
    answer = await _get(_app())
    assert answer.status_code == 200 and "python_info" in answer.text


@pytest.mark.parametrize("given", [None, "Bearer wrong-token", "scrape-token-0123456789", "Basic c2NyYXBl"])
async def test_a_configured_token_is_required(given: str | None) -> None:
    answer = await _get(_app(metrics_token="scrape-token-0123456789"), {"Authorization": given} if given else None)
    assert answer.status_code == 401 and "TUNELINE_METRICS_TOKEN" in answer.json()["detail"]
    assert "python_info" not in answer.text


async def test_the_scrapers_token_reads_them() -> None:
    app = _app(metrics_token="scrape-token-0123456789")
    answer = await _get(app, {"Authorization": "Bearer scrape-token-0123456789"})
    assert answer.status_code == 200 and "python_info" in answer.text
