"""Text embedders for the embedding-distribution drift check.

An embedder turns texts into fixed-width vectors. The default hashes words and word bigrams into a signed
bag-of-words vector: no model, no download, deterministic across processes, and sensitive to vocabulary and
phrasing shifts. A sentence-transformer (e.g. all-MiniLM-L6-v2 from a local directory) can be plugged in
behind the same protocol when topical shifts with unchanged wording matter.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from tuneline.monitoring.drift.tokens import tokenize


@runtime_checkable
class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identifies the embedding space; a reference is only comparable with live data of the same name."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """An array of shape (len(texts), dimension)."""
        ...


class HashedBagOfWordsEmbedder:
    def __init__(self, dimension: int = 256, use_bigrams: bool = True) -> None:
        if dimension < 8:
            raise ValueError(f"dimension: must be >= 8, got {dimension}")
        self._dimension = dimension
        self._use_bigrams = use_bigrams
        self._cache: dict[str, tuple[int, float]] = {}

    @property
    def name(self) -> str:
        return f"hashed-bow-{self._dimension}{'-bigrams' if self._use_bigrams else ''}"

    def _slot(self, feature: str) -> tuple[int, float]:
        slot = self._cache.get(feature)
        if slot is None:
            digest = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
            # The sign bit keeps colliding features from only ever adding up (feature hashing).
            slot = (digest % self._dimension, 1.0 if (digest >> 63) & 1 else -1.0)
            if len(self._cache) < 100_000:
                self._cache[feature] = slot
        return slot

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float64)
        for row, text in enumerate(texts):
            words = tokenize(text)
            features = list(words)
            if self._use_bigrams:
                features += [f"{a} {b}" for a, b in itertools.pairwise(words)]
            for feature in features:
                index, sign = self._slot(feature)
                vectors[row, index] += sign
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
