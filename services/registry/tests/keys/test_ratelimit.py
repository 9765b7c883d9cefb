import pytest

from tuneline.registry.keys.ratelimit import TokenBucketLimiter, per_replica_limit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_full_minute_of_requests_passes_then_the_next_is_refused_with_retry_after() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(clock)
    assert all(limiter.check("k", 60).allowed for _ in range(60))
    refused = limiter.check("k", 60)
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(1.0)  # 60/min refills one token per second


def test_tokens_refill_at_the_per_minute_rate() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(clock)
    for _ in range(30):
        limiter.check("k", 30)
    clock.now += 4.0  # 30/min = 0.5 tokens/s → 2 tokens
    assert [limiter.check("k", 30).allowed for _ in range(3)] == [True, True, False]


def test_refill_never_exceeds_the_burst_capacity() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(clock)
    limiter.check("k", 10)
    clock.now += 3600
    assert sum(limiter.check("k", 10).allowed for _ in range(15)) == 10


def test_keys_have_independent_buckets() -> None:
    limiter = TokenBucketLimiter(Clock())
    for _ in range(5):
        limiter.check("a", 5)
    assert not limiter.check("a", 5).allowed
    assert limiter.check("b", 5).allowed


def test_each_of_n_replicas_enforces_its_share_rounded_up() -> None:
    assert per_replica_limit(100, 3) == 34
    assert per_replica_limit(1, 4) == 1
    assert per_replica_limit(60, 1) == 60


class Counter:
    """In-memory stand-in for the shared store (the real ones: test_global_ratelimit_integration.py)."""

    def __init__(self) -> None:
        self.hits: dict[tuple[str, int], int] = {}

    async def hit(self, key: str, window: int, window_s: int) -> int:
        self.hits[(key, window)] = self.hits.get((key, window), 0) + 1
        return self.hits[(key, window)]

    async def close(self) -> None:
        return None


async def test_a_shared_window_admits_the_limit_then_refuses_until_the_next_window() -> None:
    from tuneline.registry.keys.ratelimit import SharedRateLimiter

    clock = Clock()
    clock.now = 6000.0 + 45  # 45 s into a window
    limiter = SharedRateLimiter(Counter(), clock=clock)
    decisions = [await limiter.check("k", 3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert decisions[-1].retry_after_s == pytest.approx(15.0)
    clock.now += 15
    assert (await limiter.check("k", 3)).allowed
