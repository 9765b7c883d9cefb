"""Train/validation/test splits: by ratio, random or stratified, deterministic, without duplicate leakage.

How a split is decided: every record gets a key = BLAKE2b(seed, record content key). Records that are
exact or near duplicates of each other form a group and travel together (the leakage rule); a group's key
is the smallest key of its members. Within each stratum (one per label when stratified, else the whole
dataset) groups are ordered by key and laid out along [0, 1) in proportion to their size; a group goes to
the split whose cumulative ratio covers the group's midpoint.

Properties: the same records and seed always give the same split. Because keys come from content, not
position, shuffling the input order does not move any record to another split (given the same duplicate
groups). Split sizes match the ratios up to the size of one group per stratum.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, Field

DEFAULT_NAMES = {2: ("train", "validation"), 3: ("train", "validation", "test")}


@dataclass(frozen=True)
class SplitSpec:
    ratios: tuple[tuple[str, float], ...]
    seed: int = 42
    stratified: bool = False

    def __post_init__(self) -> None:
        if not 2 <= len(self.ratios) <= 3:
            raise ValueError("ratios: give two or three splits")
        names = [name for name, _ in self.ratios]
        if len(set(names)) != len(names):
            raise ValueError("ratios: split names must be unique")
        if any(ratio <= 0 for _, ratio in self.ratios):
            raise ValueError("ratios: every ratio must be positive")
        if abs(sum(ratio for _, ratio in self.ratios) - 1.0) > 1e-6:
            raise ValueError("ratios: must add up to 1 (or to 100 as percentages)")

    @classmethod
    def parse(cls, text: str, *, seed: int = 42, stratified: bool = False) -> SplitSpec:
        """Parse "80/20", "90/10", "95/5", "80/10/10" or any custom percentages adding to 100."""
        try:
            parts = [float(part) for part in text.split("/")]
        except ValueError:
            raise ValueError(f"ratios: '{text}' is not like 80/20 or 80/10/10") from None
        if len(parts) not in DEFAULT_NAMES:
            raise ValueError("ratios: give two or three splits")
        total = sum(parts)
        if abs(total - 100.0) > 1e-6 and abs(total - 1.0) > 1e-6:
            raise ValueError(f"ratios: '{text}' adds up to {total:g}, not 100")
        scale = 100.0 if total > 1.5 else 1.0
        names = DEFAULT_NAMES[len(parts)]
        return cls(tuple((n, p / scale) for n, p in zip(names, parts, strict=True)), seed, stratified)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.ratios)


class SplitReport(BaseModel):
    ratios: dict[str, float]
    counts: dict[str, int]
    label_counts: dict[str, dict[str, int]] | None = Field(
        description="per split, per label (stratified/classification)"
    )
    seed: int
    stratified: bool
    duplicate_groups: int = Field(description="groups of exact/near duplicates kept inside one split")
    moved_for_leakage: int = Field(description="records placed in their group's split instead of their own")
    leaking_pairs: int = Field(description="duplicate pairs that still cross splits (0 by construction)")
    warnings: list[str]


@dataclass
class SplitPlan:
    names: tuple[str, ...]
    assignment: np.ndarray  # split index per record, in input order
    report: SplitReport

    def split_of(self, index: int) -> str:
        return self.names[int(self.assignment[index])]


def _seeded(seed: int, key: int) -> int:
    data = seed.to_bytes(8, "big", signed=True) + (key & (2**64 - 1)).to_bytes(8, "big")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _find(parent: dict[int, int], i: int) -> int:
    root = i
    while parent.get(root, root) != root:
        root = parent[root]
    while parent.get(i, i) != root:
        parent[i], i = root, parent[i]
    return root


def _layout(order_sizes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Split index for units laid out in order with the given sizes along [0, 1)."""
    total = order_sizes.sum()
    if total == 0:
        return np.zeros(0, dtype=np.int8)
    midpoints = (np.cumsum(order_sizes) - order_sizes / 2.0) / total
    return np.searchsorted(bounds, midpoints, side="right").astype(np.int8)


def plan_splits(
    record_keys: Sequence[int],
    spec: SplitSpec,
    *,
    labels: Sequence[str] | None = None,
    duplicate_of: Mapping[int, int] | None = None,
) -> SplitPlan:
    """Assign each record (given by its content key, e.g. :func:`dedup.exact_key`) to a split."""
    n = len(record_keys)
    if spec.stratified and labels is None:
        raise ValueError("stratified: labels are required (classification datasets only)")
    if labels is not None and len(labels) != n:
        raise ValueError("labels: one label per record is required")
    keys = np.fromiter((_seeded(spec.seed, int(k)) for k in record_keys), dtype=np.uint64, count=n)
    parent: dict[int, int] = {}
    for dup, first in (duplicate_of or {}).items():
        if not (0 <= dup < n and 0 <= first < n):
            raise ValueError(f"duplicate_of: index {dup}->{first} is outside the dataset")
        a, b = _find(parent, dup), _find(parent, first)
        if a != b:
            parent[max(a, b)] = min(a, b)
    unit = np.arange(n, dtype=np.int64)
    for member in list(parent):
        unit[member] = _find(parent, member)
    unit_key = np.full(n, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(unit_key, unit, keys)
    sizes = np.bincount(unit, minlength=n)
    roots = np.flatnonzero(sizes)
    strata_codes, label_names = _strata(n, unit, keys, unit_key, labels if spec.stratified else None)
    bounds = np.cumsum([ratio for _, ratio in spec.ratios])[:-1]
    unit_split = np.zeros(n, dtype=np.int8)
    naive = np.zeros(n, dtype=np.int8)
    record_strata = _record_strata(labels if spec.stratified else None, label_names, n)
    for code in np.unique(strata_codes[roots]) if n else []:
        members = roots[strata_codes[roots] == code]
        order = members[np.argsort(unit_key[members], kind="stable")]
        unit_split[order] = _layout(sizes[order].astype(float), bounds)
        records = np.flatnonzero(record_strata == code)
        records_order = records[np.argsort(keys[records], kind="stable")]
        naive[records_order] = _layout(np.ones(len(records_order)), bounds)
    assignment = unit_split[unit]
    leaking = sum(1 for dup, first in (duplicate_of or {}).items() if assignment[dup] != assignment[first])
    return SplitPlan(spec.names, assignment, _report(spec, assignment, labels, parent, naive, leaking))


def _strata(
    n: int, unit: np.ndarray, keys: np.ndarray, unit_key: np.ndarray, labels: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    if labels is None:
        return np.zeros(n, dtype=np.int64), []
    names = sorted(set(labels))
    code_of = {name: i for i, name in enumerate(names)}
    codes = np.fromiter((code_of[label] for label in labels), dtype=np.int64, count=n)
    # A group takes the label of its member with the smallest key, which does not depend on input order.
    strata = codes.copy()
    grouped = np.flatnonzero(unit != np.arange(n))
    for member in grouped:
        if keys[member] == unit_key[unit[member]]:
            strata[unit[member]] = codes[member]
    return strata, names


def _record_strata(labels: Sequence[str] | None, names: list[str], n: int) -> np.ndarray:
    if labels is None:
        return np.zeros(n, dtype=np.int64)
    code_of = {name: i for i, name in enumerate(names)}
    return np.fromiter((code_of[label] for label in labels), dtype=np.int64, count=n)


def _report(
    spec: SplitSpec,
    assignment: np.ndarray,
    labels: Sequence[str] | None,
    parent: dict[int, int],
    naive: np.ndarray,
    leaking: int,
) -> SplitReport:
    counts = {name: int(np.count_nonzero(assignment == i)) for i, name in enumerate(spec.names)}
    label_counts: dict[str, dict[str, int]] | None = None
    if labels is not None:
        label_counts = {name: {} for name in spec.names}
        for index, label in enumerate(labels):
            bucket = label_counts[spec.names[int(assignment[index])]]
            bucket[label] = bucket.get(label, 0) + 1
    groups = len({_find(parent, member) for member in parent})
    warnings = [f"split '{name}' is empty" for name, count in counts.items() if count == 0]
    return SplitReport(
        ratios=dict(spec.ratios),
        counts=counts,
        label_counts=label_counts,
        seed=spec.seed,
        stratified=spec.stratified,
        duplicate_groups=groups,
        moved_for_leakage=int(np.count_nonzero(naive != assignment)),
        leaking_pairs=leaking,
        warnings=warnings,
    )
