"""Exact and near-duplicate detection over a stream of records.

Exact: a 64-bit BLAKE2b of the normalised text (Unicode NFKC, case-folded, whitespace collapsed), so
"Hello  World" and "hello world" count as the same record.
Near: MinHash signatures of word 3-shingles (datasketch, 128 permutations) indexed in MinHash LSH at a
Jaccard threshold (default 0.9). LSH can report pairs slightly under the threshold and miss a few above it;
candidates are confirmed against the estimated Jaccard of the stored signature.
Only first occurrences are indexed (a duplicate points at the record it repeats).
Memory: the LSH index plus a stored signature cost about 2.5 KB per record, so near-duplicate search covers at most
`near_max_records` records (default 200,000) and the report says when it stopped; exact duplicates are
always checked for every record (about 70 bytes each).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def normalise_for_hash(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def exact_key(text: str, *, normalised: bool = False) -> int:
    value = text if normalised else normalise_for_hash(text)
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def shingles(text: str, size: int = 3, *, normalised: bool = False) -> set[bytes]:
    words = _WORD.findall(text if normalised else normalise_for_hash(text))
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@dataclass
class DuplicateFinder:
    """Feed records in order with :meth:`add`; each call says whether the record repeats an earlier one."""

    near_threshold: float = 0.9
    num_perm: int = 128
    near_max_records: int = 200_000
    near_enabled: bool = True
    exact_first: dict[int, int] = field(default_factory=dict)
    near_indexed: int = 0
    near_truncated: bool = False
    _lsh: Any = None
    _base: Any = None
    _signatures: dict[int, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 < self.near_threshold <= 1.0:
            raise ValueError("near_threshold must be in (0, 1]")

    def _ensure_lsh(self) -> None:
        if self._lsh is None:
            import xxhash
            from datasketch import MinHash, MinHashLSH

            self._lsh = MinHashLSH(
                threshold=self.near_threshold, num_perm=self.num_perm, hashfunc=xxhash.xxh64_intdigest
            )
            # xxh32 instead of datasketch's default SHA-1 per shingle: same 32-bit hash width, ~5x cheaper.
            self._base = MinHash(num_perm=self.num_perm, hashfunc=xxhash.xxh32_intdigest)

    def add(self, index: int, text: str) -> tuple[str, int] | None:
        """Return ("exact"|"near", index of the earlier record) when `text` duplicates one, else None."""
        normalised = normalise_for_hash(text)
        key = exact_key(normalised, normalised=True)
        first = self.exact_first.get(key)
        if first is not None:
            return ("exact", first)
        self.exact_first[key] = index
        if not self.near_enabled:
            return None
        if self.near_indexed >= self.near_max_records:
            self.near_truncated = True
            return None
        return self._near(index, normalised)

    def _near(self, index: int, normalised: str) -> tuple[str, int] | None:
        self._ensure_lsh()
        grams = shingles(normalised, normalised=True)
        if not grams:
            return None
        # One MinHash object is reused: the LSH index keeps band hashes, not the object, and building a
        # MinHash per record costs more than hashing its shingles.
        sig = self._base
        sig.clear()
        sig.update_batch(grams)
        # 32-bit truncated signatures halve the memory; a false agreement per slot has odds 2**-32.
        compact = sig.hashvalues.astype(np.uint32)
        match: int | None = None
        for candidate in self._lsh.query(sig):
            stored = np.frombuffer(self._signatures[candidate], dtype=np.uint32)
            if float(np.mean(stored == compact)) >= self.near_threshold and (match is None or candidate < match):
                match = candidate
        if match is not None:
            # Only first occurrences are indexed: a duplicate adds nothing new to match against.
            return ("near", match)
        self._lsh.insert(index, sig, check_duplication=False)
        self._signatures[index] = compact.tobytes()
        self.near_indexed += 1
        return None
