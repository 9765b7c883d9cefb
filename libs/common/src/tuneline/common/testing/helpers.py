"""Helpers for tests that drive a service app in-process against the real infrastructure."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from tuneline.common.auth import mint_token
from tuneline.common.settings import ServiceSettings

T = TypeVar("T")

#: The team of the people tests sign in as, unless a test names another (a cross-team attack) or none.
TEST_TEAM = "test-team"


@asynccontextmanager
async def running_app(app: FastAPI, base_url: str = "http://test") -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan (migrations, broker, relay) and give an HTTP client bound to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=30) as client:
            yield client


def bearer(
    settings: ServiceSettings, *roles: str, subject: str = "tester", team: str | None = TEST_TEAM
) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, subject, list(roles), team=team)}"}


async def eventually(
    check: Callable[[], Awaitable[T]], *, timeout_s: float = 20.0, interval_s: float = 0.05, what: str = "condition"
) -> T:
    """Poll `check` until it returns a truthy value (or raise with the last value after the timeout)."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"{what} not reached within {timeout_s}s (last value: {last!r})")


def load_neighbour(test_file: str, filename: str) -> Any:
    """The module `filename` next to `test_file`, loaded once by its path.

    Test modules are imported in importlib mode (no package, no sys.path entry), so a helper module beside them
    cannot be imported by name.
    """
    path = Path(test_file).with_name(filename)
    name = f"tuneline_tests_{path.parent.name}_{path.stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None, path
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
