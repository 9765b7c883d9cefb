"""Perplexity from per-token losses (natural-log negative log-likelihoods).

Corpus perplexity weighs every token equally: exp(total loss / total tokens). Averaging per-sample
perplexities instead would let one short, surprising sample dominate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def perplexity(token_losses: Sequence[float]) -> float:
    return corpus_perplexity([token_losses])


def corpus_perplexity(per_sample_losses: Sequence[Sequence[float]]) -> float:
    total, count = 0.0, 0
    for index, losses in enumerate(per_sample_losses):
        for loss in losses:
            if not math.isfinite(loss) or loss < 0:
                raise ValueError(f"sample {index}: token loss {loss!r} is not a finite non-negative number")
            total += loss
        count += len(losses)
    if count == 0:
        raise ValueError("no token losses: perplexity needs at least one scored token")
    return math.exp(total / count)
