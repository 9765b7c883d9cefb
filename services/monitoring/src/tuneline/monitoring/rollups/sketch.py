"""Mergeable latency quantile sketch with a relative-error guarantee (the DDSketch construction).

Why a sketch and not stored values: a bucket at thousands of requests per second would otherwise hold every
latency until it closes, and a 1-hour p95 would need all of them again. Here a value x > min_indexable lands in
bin ceil(log_gamma(x)) with gamma = (1 + alpha) / (1 - alpha); the bin is reported as 2 * gamma^i / (gamma + 1),
which is within a relative error alpha of every value in the bin. So any quantile read from the sketch is within
alpha (default 1 %) of the exact "lower" quantile (the element of 0-based rank floor(q * (n - 1))) of the values
added, and merging two sketches (adding bin counts) keeps that guarantee: a window's p99 is as accurate as a
minute's. Values below min_indexable are counted as zero (absolute error < min_indexable).

Memory: one counter per non-empty bin. With alpha = 1 %, latencies from 1 µs to 1 day span about 1,100 bins;
max_bins caps the worst case by folding the lowest bins together, which only degrades the lowest quantiles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_RELATIVE_ACCURACY = 0.01
DEFAULT_MAX_BINS = 2048
DEFAULT_MIN_INDEXABLE = 1e-3  # ms: a microsecond is below anything a served request takes


@dataclass(slots=True)
class LatencySketch:
    relative_accuracy: float = DEFAULT_RELATIVE_ACCURACY
    max_bins: int = DEFAULT_MAX_BINS
    min_indexable: float = DEFAULT_MIN_INDEXABLE
    bins: dict[int, int] = field(default_factory=dict)
    zero_count: int = 0
    count: int = 0
    total: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf

    def __post_init__(self) -> None:
        if not 0.0 < self.relative_accuracy < 1.0:
            raise ValueError(f"relative_accuracy: must be in (0, 1), got {self.relative_accuracy}")
        if self.max_bins < 2:
            raise ValueError(f"max_bins: must be >= 2, got {self.max_bins}")

    @property
    def gamma(self) -> float:
        return (1.0 + self.relative_accuracy) / (1.0 - self.relative_accuracy)

    def _index(self, value: float) -> int:
        return math.ceil(math.log(value) / math.log(self.gamma))

    def _bin_value(self, index: int) -> float:
        gamma = self.gamma
        return 2.0 * gamma**index / (gamma + 1.0)

    def add(self, value: float, weight: int = 1) -> None:
        if not (value >= 0.0):
            raise ValueError(f"latency must be >= 0, got {value!r}")
        if value < self.min_indexable:
            self.zero_count += weight
        else:
            index = self._index(value)
            self.bins[index] = self.bins.get(index, 0) + weight
            if len(self.bins) > self.max_bins:
                self._collapse_lowest()
        self.count += weight
        self.total += value * weight
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)

    def add_many(self, values: Iterable[float] | np.ndarray) -> None:
        """Vectorised add: one log per batch instead of one per value (the ingest hot path)."""
        array = np.asarray(values, dtype=np.float64)
        if array.size == 0:
            return
        if not bool(np.all(array >= 0.0)):
            raise ValueError("latency must be >= 0 for every value")
        small = array < self.min_indexable
        self.zero_count += int(small.sum())
        indexable = array[~small]
        if indexable.size:
            indices = np.ceil(np.log(indexable) / math.log(self.gamma)).astype(np.int64)
            unique, counts = np.unique(indices, return_counts=True)
            for index, n in zip(unique.tolist(), counts.tolist(), strict=True):
                self.bins[index] = self.bins.get(index, 0) + n
            while len(self.bins) > self.max_bins:
                self._collapse_lowest()
        self.count += int(array.size)
        self.total += float(array.sum())
        self.minimum = min(self.minimum, float(array.min()))
        self.maximum = max(self.maximum, float(array.max()))

    def _collapse_lowest(self) -> None:
        lowest, second = sorted(self.bins)[:2]
        self.bins[second] += self.bins.pop(lowest)

    def merge(self, other: LatencySketch) -> None:
        if not math.isclose(other.relative_accuracy, self.relative_accuracy):
            raise ValueError(
                f"relative_accuracy: cannot merge sketches with {other.relative_accuracy} and {self.relative_accuracy}"
            )
        for index, n in other.bins.items():
            self.bins[index] = self.bins.get(index, 0) + n
        while len(self.bins) > self.max_bins:
            self._collapse_lowest()
        self.zero_count += other.zero_count
        self.count += other.count
        self.total += other.total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)

    def quantile(self, q: float) -> float | None:
        """The q-quantile within relative_accuracy of the exact lower quantile; None when empty."""
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"q: must be in [0, 1], got {q}")
        if self.count == 0:
            return None
        rank = math.floor(q * (self.count - 1))
        if rank < self.zero_count:
            return 0.0
        seen = self.zero_count
        for index in sorted(self.bins):
            seen += self.bins[index]
            if seen > rank:
                # Clamp to the observed range: exact at q=0/q=1 and never outside what was seen.
                return min(max(self._bin_value(index), self.minimum), self.maximum)
        return self.maximum

    def count_above(self, threshold: float) -> int:
        """Values in bins entirely above threshold (bins straddling it count as not above: conservative)."""
        if threshold < self.min_indexable:
            return self.count - self.zero_count
        limit = self._index(threshold)
        return sum(n for index, n in self.bins.items() if index > limit)

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "relative_accuracy": self.relative_accuracy,
            "max_bins": self.max_bins,
            "min_indexable": self.min_indexable,
            "bins": {str(k): v for k, v in self.bins.items()},
            "zero_count": self.zero_count,
            "count": self.count,
            "total": self.total,
            "minimum": self.minimum if self.count else None,
            "maximum": self.maximum if self.count else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LatencySketch:
        count = int(data["count"])
        return cls(
            relative_accuracy=float(data["relative_accuracy"]),
            max_bins=int(data["max_bins"]),
            min_indexable=float(data["min_indexable"]),
            bins={int(k): int(v) for k, v in data["bins"].items()},
            zero_count=int(data["zero_count"]),
            count=count,
            total=float(data["total"]),
            minimum=float(data["minimum"]) if count else math.inf,
            maximum=float(data["maximum"]) if count else -math.inf,
        )
