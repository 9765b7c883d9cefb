"""Per-key request rate limits.

The limit is global per key: `requests_per_minute` requests per one-minute window in total, whichever models the
key calls and whichever gateway replica answers. `SharedRateLimiter` counts fixed windows in a store every gateway
replica shares (PostgreSQL — the registry's own database — by default, Redis when configured), one atomic increment
per request. A fixed window admits up to twice the limit across a window boundary; that is the price of one round
trip per request instead of a sorted set or a token bucket in the store, and still bounds any minute-long burst.

`TokenBucketLimiter` is the in-process fallback a gateway replica uses while the shared store cannot be reached
(each replica then enforces ``ceil(limit / N)`` of N replicas, see `per_replica_limit`): limits stay approximately
enforced instead of failing every request or none.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: float  # 0 when allowed
    remaining: int


class TokenBucketLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float, int]] = {}  # key -> (tokens, last refill, capacity)

    def check(self, key: str, requests_per_minute: int) -> Decision:
        if requests_per_minute <= 0:
            raise ValueError(f"requests_per_minute must be positive, got {requests_per_minute}")
        now = self._clock()
        rate = requests_per_minute / 60.0
        tokens, last, capacity = self._buckets.get(key, (float(requests_per_minute), now, requests_per_minute))
        if capacity != requests_per_minute:  # limit changed: keep the fill level, clamp to the new capacity
            capacity = requests_per_minute
        tokens = min(float(capacity), tokens + (now - last) * rate)
        if tokens >= 1.0:
            tokens -= 1.0
            self._buckets[key] = (tokens, now, capacity)
            return Decision(True, 0.0, int(tokens))
        self._buckets[key] = (tokens, now, capacity)
        return Decision(False, (1.0 - tokens) / rate, 0)

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)


def per_replica_limit(requests_per_minute: int, replicas: int) -> int:
    return max(1, math.ceil(requests_per_minute / max(1, replicas)))


class WindowCounter(Protocol):
    """A store shared by every gateway replica: one atomic increment per request."""

    async def hit(self, key: str, window: int, window_s: int) -> int:
        """Count one request of `key` in window number `window`; returns the window's count including it."""
        ...

    async def close(self) -> None: ...


class SharedRateLimiter:
    """`requests_per_minute` per key per fixed one-minute window, counted in a shared `WindowCounter`."""

    def __init__(self, counter: WindowCounter, *, window_s: int = 60, clock: Callable[[], float] = time.time) -> None:
        self._counter = counter
        self._window_s = window_s
        self._clock = clock

    async def check(self, key: str, requests_per_minute: int) -> Decision:
        if requests_per_minute <= 0:
            raise ValueError(f"requests_per_minute must be positive, got {requests_per_minute}")
        now = self._clock()
        window = int(now // self._window_s)
        hits = await self._counter.hit(key, window, self._window_s)
        if hits <= requests_per_minute:
            return Decision(True, 0.0, requests_per_minute - hits)
        return Decision(False, (window + 1) * self._window_s - now, 0)

    async def close(self) -> None:
        await self._counter.close()
