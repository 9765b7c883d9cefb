"""Where a gateway replica counts key requests: the shared store every replica sees, chosen by URL scheme.

`postgresql://…` (the registry's own database, the embedded default) counts in `registry_rate_windows` with one
upsert per request; `redis://…` with INCR + EXPIRE. The URL reaches the gateway as an environment variable of its
runtime (it carries a password), never in the Serve config. While the store cannot be reached, each replica falls
back to its own token buckets at its share of the limit and says so in the log once per outage.
"""

from __future__ import annotations

import os
from typing import Any

from tuneline.common.db import create_engine, session_factory, transaction
from tuneline.registry.keys import repository as keys_repo
from tuneline.registry.keys.ratelimit import (
    Decision,
    SharedRateLimiter,
    TokenBucketLimiter,
    WindowCounter,
    per_replica_limit,
)
from tuneline.registry.serving.records import log
from tuneline.registry.serving.spec import RATE_LIMIT_SCHEMA_ENV, RATE_LIMIT_URL_ENV

#: Windows older than this many windows are deleted (by whichever replica opens a new window).
_KEEP_WINDOWS = 5


class PostgresWindowCounter:
    def __init__(self, url: str, schema: str) -> None:
        self._engine = create_engine(url, schema, pool_size=4)
        self._sessions = session_factory(self._engine)
        self._pruned_before = 0

    async def hit(self, key: str, window: int, window_s: int) -> int:
        async with transaction(self._sessions) as session:
            hits = await keys_repo.count_hit(session, key, window)
            if window - _KEEP_WINDOWS > self._pruned_before:
                self._pruned_before = window - _KEEP_WINDOWS
                await keys_repo.prune_windows(session, self._pruned_before)
        return hits

    async def close(self) -> None:
        await self._engine.dispose()


class RedisWindowCounter:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis: Any = redis.from_url(url)

    async def hit(self, key: str, window: int, window_s: int) -> int:
        name = f"tuneline:ratelimit:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_s * 2)
            hits, _ = await pipe.execute()
        return int(hits)

    async def close(self) -> None:
        await self._redis.aclose()


def counter_for(url: str, schema: str = "registry") -> WindowCounter:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisWindowCounter(url)
    if url.startswith("postgresql"):
        return PostgresWindowCounter(url, schema)
    raise ValueError(f"rate-limit store URL must be postgresql://… or redis://…, got scheme {url.split(':', 1)[0]!r}")


class GatewayLimits:
    """The rate limit one gateway replica applies: the shared count, or its own buckets while the store is down."""

    def __init__(self, shared: SharedRateLimiter | None, replicas: int = 1) -> None:
        self._shared = shared
        self._local = TokenBucketLimiter()
        self.replicas = replicas
        self._degraded = False

    @classmethod
    def from_env(cls) -> GatewayLimits:
        url = os.environ.get(RATE_LIMIT_URL_ENV)
        if not url:
            return cls(None)
        return cls(SharedRateLimiter(counter_for(url, os.environ.get(RATE_LIMIT_SCHEMA_ENV, "registry"))))

    @property
    def shared(self) -> bool:
        return self._shared is not None

    async def check(self, prefix: str, requests_per_minute: int) -> Decision:
        if self._shared is not None:
            try:
                decision = await self._shared.check(prefix, requests_per_minute)
            except Exception as exc:  # the store is down: keep limiting, per replica
                if not self._degraded:
                    log.warning("registry.ratelimit.store_unavailable: %s: %s", type(exc).__name__, exc)
                    self._degraded = True
            else:
                if self._degraded:
                    log.info("registry.ratelimit.store_recovered")
                    self._degraded = False
                return decision
        return self._local.check(prefix, per_replica_limit(requests_per_minute, self.replicas))

    async def close(self) -> None:
        if self._shared is not None:
            await self._shared.close()
