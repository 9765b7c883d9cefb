"""Word-level tokens for drift statistics.

Drift compares the same measure on both sides, so a simple, model-independent tokenizer is enough and keeps
the reference valid when the served model (and its tokenizer) changes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"\w+", re.UNICODE)
OTHER_BUCKET = "<other>"


def tokenize(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def token_counts(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(tokenize(text))
    return counts


def top_k_buckets(counts: Counter[str], k: int) -> list[str]:
    """The k most frequent tokens, ties broken alphabetically so the buckets are reproducible."""
    return [token for token, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]]


def bucket_counts(counts: Counter[str], buckets: Sequence[str]) -> list[int]:
    """Counts per bucket in `buckets` order, then one "other" count for every token outside them."""
    chosen = [counts.get(token, 0) for token in buckets]
    return [*chosen, sum(counts.values()) - sum(chosen)]
