"""Cut long text into chunks at paragraph, sentence or word boundaries."""

from __future__ import annotations

import re
from collections.abc import Iterator

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _split_long(piece: str, max_chars: int) -> Iterator[str]:
    while len(piece) > max_chars:
        cut = piece.rfind(" ", 0, max_chars)
        if cut <= max_chars // 2:
            cut = max_chars
        yield piece[:cut].strip()
        piece = piece[cut:].strip()
    if piece:
        yield piece


def chunk_text(text: str, max_chars: int) -> Iterator[str]:
    """Yield chunks of at most `max_chars`, preferring paragraph then sentence boundaries."""
    current = ""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        units = [paragraph] if len(paragraph) <= max_chars else _SENTENCE_END.split(paragraph)
        for unit in units:
            for part in _split_long(unit, max_chars):
                joiner = "\n\n" if unit is paragraph else " "
                if current and len(current) + len(joiner) + len(part) <= max_chars:
                    current = current + joiner + part
                else:
                    if current:
                        yield current
                    current = part
    if current:
        yield current
