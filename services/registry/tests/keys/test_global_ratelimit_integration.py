"""A key's rate limit is global: one count per key across the models it may call and every gateway replica, kept in
the shared store (real PostgreSQL, the embedded default, and real Redis)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from tuneline.common.db import migrate
from tuneline.registry.keys.domain import KeyAuthorizer, issue_key, rate_limited
from tuneline.registry.keys.ratelimit import SharedRateLimiter
from tuneline.registry.serving.limits import GatewayLimits, counter_for

pytestmark = pytest.mark.integration

PEPPER = b"p" * 32
MODELS = ("model-a", "model-b", "model-c")
LIMIT = 7
MIGRATIONS = Path(__file__).parents[2] / "src" / "tuneline" / "registry" / "migrations"
REDIS_URL = "redis://127.0.0.1:6379/15"


class Clock:
    """Pinned inside one window, so a test never straddles a minute boundary."""

    def __init__(self) -> None:
        self.now = (datetime.now(UTC).timestamp() // 60) * 60 + 10

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture(scope="module")
async def store_url(database_url: str) -> str:
    await migrate(database_url, "registry", MIGRATIONS)
    return database_url


@pytest_asyncio.fixture(params=["postgres", "redis"])
async def replicas(request: pytest.FixtureRequest, store_url: str) -> AsyncIterator[tuple[list[GatewayLimits], Clock]]:
    """Two gateway replicas, each with its own connection to the shared store."""
    url = store_url if request.param == "postgres" else REDIS_URL
    clock = Clock()
    gateways = [GatewayLimits(SharedRateLimiter(counter_for(url), clock=clock), replicas=2) for _ in range(2)]
    yield gateways, clock
    for gateway in gateways:
        await gateway.close()


async def admitted(auth: KeyAuthorizer, gateway: GatewayLimits, plaintext: str, model: str, now: datetime) -> bool:
    """What a gateway replica does per request: the key, then its global limit."""
    key = auth.authenticate(plaintext, model, now)
    return (await gateway.check(key.prefix, key.requests_per_minute)).allowed


async def test_a_key_scoped_to_three_models_gets_its_limit_once_across_models_and_replicas(
    replicas: tuple[list[GatewayLimits], Clock],
) -> None:
    gateways, clock = replicas
    now = datetime.now(UTC)
    record, plaintext = issue_key(
        name="app", owner="alice", models=set(MODELS), now=now, pepper=PEPPER, requests_per_minute=LIMIT
    )
    auth = KeyAuthorizer(PEPPER)
    auth.replace_keys([record])

    # 30 concurrent requests, spread over three models and two replicas: the old per-model, per-replica buckets
    # admitted 3 x 2 x 7 of them
    calls = [admitted(auth, gateways[i % 2], plaintext, MODELS[i % 3], now) for i in range(30)]
    results = await asyncio.gather(*calls)
    assert sum(results) == LIMIT

    refused = await gateways[0].check(record.prefix, LIMIT)
    assert not refused.allowed and refused.retry_after_s == pytest.approx(50)  # the rest of the window
    assert str(rate_limited(record, refused)) == f"API key {record.prefix} exceeded 7 requests/minute"

    clock.now += 60  # the next window admits the key again
    assert (await gateways[1].check(record.prefix, LIMIT)).allowed


async def test_an_unreachable_store_falls_back_to_each_replicas_share() -> None:
    gateway = GatewayLimits(SharedRateLimiter(counter_for("redis://127.0.0.1:1/0")), replicas=2)
    try:
        decisions = [await gateway.check("k-fallback", 6) for _ in range(4)]
    finally:
        await gateway.close()
    assert [d.allowed for d in decisions] == [True, True, True, False]  # ceil(6 / 2 replicas)
