"""Per-key request rate limits: a token bucket per key, in process.

Each key may make `requests_per_minute` requests per minute on average, with bursts up to that many at once
(bucket capacity = the per-minute limit, refilled continuously at limit/60 tokens per second).

Multi-replica behaviour: buckets live in the memory of one router replica. With N router replicas each
replica enforces ``ceil(limit / N)`` (see `per_replica_limit`), which holds the total close to the limit
because Serve spreads requests evenly across replicas; a caller whose requests all land on one replica gets
up to limit/N. Replica restarts refill buckets. A hard global limit would need a shared store (PostgreSQL or
Redis), which would add a round trip to every inference request; we judged the approximation sufficient for
abuse protection, which is what these limits are for (billing uses the inference records, not the limiter).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


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
