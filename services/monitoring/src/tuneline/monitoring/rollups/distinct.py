"""Unique-caller counting in bounded memory: exact while small, HyperLogLog once large.

Most buckets see a handful of callers, so they stay exact (a set of at most `exact_limit` ids). Past that the
ids are folded into a HyperLogLog with 2^precision one-byte registers (4 KiB at precision 12), standard error
1.04 / sqrt(2^precision) ≈ 1.6 %, with linear counting for the small range. Both forms merge (set union /
register max), so a day's unique callers come from its minutes without keeping any id.
Ids are hashed with BLAKE2b, which is stable across processes (Python's hash() is salted per process).
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_PRECISION = 12
DEFAULT_EXACT_LIMIT = 256
_HASH_BITS = 64


def _hash64(item: str) -> int:
    return int.from_bytes(hashlib.blake2b(item.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(slots=True)
class DistinctCounter:
    precision: int = DEFAULT_PRECISION
    exact_limit: int = DEFAULT_EXACT_LIMIT
    exact: set[str] | None = field(default_factory=set)
    registers: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not 4 <= self.precision <= 18:
            raise ValueError(f"precision: must be in [4, 18], got {self.precision}")

    @property
    def is_exact(self) -> bool:
        return self.exact is not None

    def add(self, item: str) -> None:
        if self.exact is not None:
            self.exact.add(item)
            if len(self.exact) > self.exact_limit:
                self._switch_to_sketch()
        else:
            self._add_hash(_hash64(item))

    def _registers(self) -> np.ndarray:
        if self.registers is None:
            self.registers = np.zeros(1 << self.precision, dtype=np.uint8)
        return self.registers

    def _add_hash(self, hashed: int) -> None:
        registers = self._registers()
        rest_bits = _HASH_BITS - self.precision
        index = hashed >> rest_bits
        rest = hashed & ((1 << rest_bits) - 1)
        rank = rest_bits - rest.bit_length() + 1  # position of the leftmost 1-bit in the remaining bits
        if rank > registers[index]:
            registers[index] = rank

    def _switch_to_sketch(self) -> None:
        items = self.exact or set()
        self.exact = None
        for item in items:
            self._add_hash(_hash64(item))

    def merge(self, other: DistinctCounter) -> None:
        if other.precision != self.precision:
            raise ValueError(f"precision: cannot merge {other.precision} into {self.precision}")
        if other.exact is not None:
            for item in other.exact:
                self.add(item)
            return
        if self.exact is not None:
            self._switch_to_sketch()
        assert other.registers is not None
        np.maximum(self._registers(), other.registers, out=self._registers())

    def estimate(self) -> float:
        if self.exact is not None:
            return float(len(self.exact))
        registers = self._registers()
        m = float(registers.size)
        alpha = 0.7213 / (1.0 + 1.079 / m)
        raw = alpha * m * m / float(np.sum(np.power(2.0, -registers.astype(np.float64))))
        zeros = int(np.count_nonzero(registers == 0))
        if raw <= 2.5 * m and zeros:
            return m * math.log(m / zeros)
        return raw

    def to_dict(self) -> dict[str, Any]:
        if self.exact is not None:
            return {"precision": self.precision, "exact_limit": self.exact_limit, "exact": sorted(self.exact)}
        registers = self._registers()
        return {
            "precision": self.precision,
            "exact_limit": self.exact_limit,
            "registers": base64.b64encode(registers.tobytes()).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DistinctCounter:
        precision = int(data["precision"])
        exact_limit = int(data["exact_limit"])
        if "exact" in data:
            return cls(precision=precision, exact_limit=exact_limit, exact=set(data["exact"]))
        registers = np.frombuffer(base64.b64decode(data["registers"]), dtype=np.uint8).copy()
        if registers.size != 1 << precision:
            raise ValueError(f"registers: expected {1 << precision} bytes, got {registers.size}")
        return cls(precision=precision, exact_limit=exact_limit, exact=None, registers=registers)
