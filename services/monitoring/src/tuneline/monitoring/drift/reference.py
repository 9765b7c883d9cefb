"""The reference side of drift checks, summarised once from a dataset's training records.

Only what the checks need is kept, capped in size: a sample of prompt lengths, the top-k token counts plus the
"other" count (over all records), a sample of embeddings and the label counts. It serialises to plain JSON
types so storage can keep one profile per dataset version.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tuneline.monitoring.drift.config import DriftConfig
from tuneline.monitoring.drift.embedders import Embedder
from tuneline.monitoring.drift.tokens import bucket_counts, token_counts, tokenize, top_k_buckets


@dataclass(frozen=True, slots=True)
class ReferenceProfile:
    records: int
    lengths: tuple[int, ...]
    token_buckets: tuple[str, ...]
    token_bucket_counts: tuple[int, ...]  # one per bucket, then the "other" count
    embedder_name: str
    embeddings: np.ndarray
    label_counts: Mapping[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        embeddings = np.ascontiguousarray(self.embeddings, dtype=np.float32)
        return {
            "records": self.records,
            "lengths": list(self.lengths),
            "token_buckets": list(self.token_buckets),
            "token_bucket_counts": list(self.token_bucket_counts),
            "embedder_name": self.embedder_name,
            "embedding_shape": list(embeddings.shape),
            "embeddings": base64.b64encode(embeddings.tobytes()).decode("ascii"),
            "label_counts": dict(self.label_counts) if self.label_counts is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferenceProfile:
        shape = tuple(int(n) for n in data["embedding_shape"])
        embeddings = np.frombuffer(base64.b64decode(data["embeddings"]), dtype=np.float32).reshape(shape)
        labels = data.get("label_counts")
        return cls(
            records=int(data["records"]),
            lengths=tuple(int(n) for n in data["lengths"]),
            token_buckets=tuple(data["token_buckets"]),
            token_bucket_counts=tuple(int(n) for n in data["token_bucket_counts"]),
            embedder_name=str(data["embedder_name"]),
            embeddings=embeddings.astype(np.float64),
            label_counts={str(k): int(v) for k, v in labels.items()} if labels is not None else None,
        )


def sample_indices(total: int, cap: int, rng: np.random.Generator) -> np.ndarray:
    if total <= cap:
        return np.arange(total)
    return np.sort(rng.choice(total, size=cap, replace=False))


def build_reference(
    texts: Sequence[str],
    embedder: Embedder,
    config: DriftConfig,
    labels: Sequence[str] | None = None,
) -> ReferenceProfile:
    if labels is not None and len(labels) != len(texts):
        raise ValueError(f"labels: expected one per text ({len(texts)}), got {len(labels)}")
    rng = np.random.default_rng(config.seed)
    counts = token_counts(texts)
    buckets = top_k_buckets(counts, config.token_top_k)
    chosen = sample_indices(len(texts), config.max_reference_samples, rng)
    sampled_texts = [texts[i] for i in chosen]
    embedded = sample_indices(len(sampled_texts), config.mmd_max_samples, rng)
    label_counts: dict[str, int] | None = None
    if labels is not None:
        label_counts = {}
        for label in labels:
            label_counts[label] = label_counts.get(label, 0) + 1
    return ReferenceProfile(
        records=len(texts),
        lengths=tuple(len(tokenize(text)) for text in sampled_texts),
        token_buckets=tuple(buckets),
        token_bucket_counts=tuple(bucket_counts(counts, buckets)),
        embedder_name=embedder.name,
        embeddings=embedder.embed([sampled_texts[i] for i in embedded]),
        label_counts=label_counts,
    )
