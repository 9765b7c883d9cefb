"""Text normalisation shared by exact match and label parsing."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")
_SPACES = re.compile(r"\s+")

UNPARSED_LABEL = "<unparsed>"


def normalise(text: str) -> str:
    """Lower-case, drop ASCII punctuation, collapse whitespace (SQuAD-style, without article removal)."""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text.lower())).strip()


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Share of samples whose normalised prediction equals the normalised reference."""
    if len(predictions) != len(references):
        raise ValueError(
            f"predictions has {len(predictions)} items but references has {len(references)}; they must pair up"
        )
    if not references:
        raise ValueError("references is empty: a metric needs at least one sample")
    hits = sum(normalise(p) == normalise(r) for p, r in zip(predictions, references, strict=True))
    return hits / len(references)


def parse_label(generated: str, labels: Sequence[str]) -> str:
    """Map generated text to one of ``labels``.

    A model asked for a label often adds words ("Category: hydraulic leak."), so: the first line is
    normalised; an exact label wins; otherwise the longest label found as a whole-word phrase at the start,
    then anywhere, wins. Nothing found → ``UNPARSED_LABEL`` so it counts as wrong instead of crashing.
    """
    lines = [line for line in generated.strip().splitlines() if line.strip()]
    text = normalise(lines[0]) if lines else ""
    by_normal = {normalise(label): label for label in labels}
    if text in by_normal:
        return by_normal[text]
    longest_first = sorted(by_normal, key=len, reverse=True)
    padded = f" {text} "
    for candidate in longest_first:
        if candidate and padded.startswith(f" {candidate} "):
            return by_normal[candidate]
    for candidate in longest_first:
        if candidate and f" {candidate} " in padded:
            return by_normal[candidate]
    return UNPARSED_LABEL
