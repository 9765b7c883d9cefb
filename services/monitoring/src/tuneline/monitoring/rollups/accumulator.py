"""Bounded in-memory accumulation of observations into roll-ups between two flushes to storage.

The consumer adds a batch, and flushes (drains) when `needs_flush` says so or on a timer. A drained roll-up
is partial: storage merges it into whatever it already holds for that bucket, which is why late events and
several consumers are fine. Memory is at most max_open_rollups roll-ups (each a sketch of at most max_bins
counters and a distinct counter of at most 4 KiB), whatever the event rate.
"""

from __future__ import annotations

from collections.abc import Iterable

from tuneline.monitoring.rollups.observation import InferenceObservation
from tuneline.monitoring.rollups.pricing import PriceTable
from tuneline.monitoring.rollups.rollup import Rollup, RollupKey, bucket_start

DEFAULT_BUCKET_SECONDS = 60
DEFAULT_MAX_OPEN_ROLLUPS = 5_000


class RollupAccumulator:
    def __init__(
        self,
        price_table: PriceTable,
        bucket_seconds: int = DEFAULT_BUCKET_SECONDS,
        max_open_rollups: int = DEFAULT_MAX_OPEN_ROLLUPS,
    ) -> None:
        if bucket_seconds <= 0:
            raise ValueError(f"bucket_seconds: must be > 0, got {bucket_seconds}")
        if max_open_rollups <= 0:
            raise ValueError(f"max_open_rollups: must be > 0, got {max_open_rollups}")
        self._price_table = price_table
        self._bucket_seconds = bucket_seconds
        self._max_open = max_open_rollups
        self._open: dict[tuple[RollupKey, float], Rollup] = {}
        self.observations_since_flush = 0

    @property
    def bucket_seconds(self) -> int:
        return self._bucket_seconds

    @property
    def open_rollups(self) -> int:
        return len(self._open)

    @property
    def needs_flush(self) -> bool:
        return len(self._open) >= self._max_open

    def add(self, observation: InferenceObservation) -> None:
        key = RollupKey(observation.model, observation.version, observation.arm)
        start = bucket_start(observation.occurred_at, self._bucket_seconds)
        slot = (key, start.timestamp())
        rollup = self._open.get(slot)
        if rollup is None:
            rollup = Rollup(key=key, start=start, bucket_seconds=self._bucket_seconds)
            self._open[slot] = rollup
        rollup.add(observation, self._price_table.cost_of(observation))
        self.observations_since_flush += 1

    def add_all(self, observations: Iterable[InferenceObservation]) -> None:
        for observation in observations:
            self.add(observation)

    def drain(self) -> list[Rollup]:
        """Hand over every partial roll-up (ordered by bucket, then key) and start empty."""
        drained = sorted(self._open.values(), key=lambda r: (r.start, r.key))
        self._open = {}
        self.observations_since_flush = 0
        return drained
