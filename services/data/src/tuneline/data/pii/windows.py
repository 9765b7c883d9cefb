"""Long texts are scanned in bounded, overlapping windows, so a scan's cost is linear in the text's length.

Whatever a recognizer costs on one text (spaCy's pipeline, presidio's patterns, context lookups), it pays it
on at most ``window + 2 × overlap`` characters at a time. A window keeps only the spans that start in its own
stretch; the overlap on each side gives those spans their context and lets an entity that starts near the
edge end inside the window (entities are far shorter than the overlap).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tuneline.data.pii.engine import PiiSpan, SpanScanner, _resolve_overlaps

DEFAULT_WINDOW_CHARS = 4096
DEFAULT_OVERLAP_CHARS = 256


@dataclass(frozen=True, slots=True)
class _Piece:
    text_index: int
    offset: int  # where the window's text starts in the whole text
    keep_from: int
    keep_to: int


def windows(length: int, window: int, overlap: int) -> list[tuple[int, int, int, int]]:
    """(lo, hi, keep_from, keep_to) per window: scan text[lo:hi], keep spans starting in [keep_from, keep_to)."""
    if length <= window + 2 * overlap:
        return [(0, length, 0, max(length, 1))]
    return [
        (max(0, start - overlap), min(length, start + window + overlap), start, min(start + window, length))
        for start in range(0, length, window)
    ]


class WindowedScanner:
    """A :class:`SpanScanner` that hands its inner scanner windows of at most ``window + 2 × overlap`` chars."""

    def __init__(
        self,
        inner: SpanScanner,
        *,
        window_chars: int = DEFAULT_WINDOW_CHARS,
        overlap_chars: int = DEFAULT_OVERLAP_CHARS,
    ) -> None:
        if window_chars < 1 or overlap_chars < 0:
            raise ValueError("window_chars must be positive and overlap_chars not negative")
        self.inner = inner
        self.window_chars = window_chars
        self.overlap_chars = overlap_chars
        self.description = f"{inner.description}; long texts scanned in {window_chars}-character windows"

    def scan(self, texts: Sequence[str]) -> list[list[PiiSpan]]:
        pieces: list[_Piece] = []
        window_texts: list[str] = []
        for index, text in enumerate(texts):
            for lo, hi, keep_from, keep_to in windows(len(text), self.window_chars, self.overlap_chars):
                pieces.append(_Piece(index, lo, keep_from, keep_to))
                window_texts.append(text[lo:hi])
        results: list[list[PiiSpan]] = [[] for _ in texts]
        split: set[int] = set()
        for piece, spans in zip(pieces, self.inner.scan(window_texts), strict=True):
            if piece.offset or piece.keep_to < len(texts[piece.text_index]):
                split.add(piece.text_index)
            for span in spans:
                start = span.start + piece.offset
                if piece.keep_from <= start < piece.keep_to:
                    results[piece.text_index].append(
                        PiiSpan(span.entity_type, start, span.end + piece.offset, span.score)
                    )
        for index in split:  # neighbouring windows may have read one stretch two ways
            results[index] = _merge(results[index])
        return results


def _merge(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Overlaps between windows resolved in one sweep by start (resolving them all pairwise, as one window's
    scanner does, is quadratic in the spans of a whole long text). Each window's own spans are already
    overlap-free, so only spans that cross into the next window's stretch can meet here."""
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if kept and span.start < kept[-1].end:
            kept[-1] = _resolve_overlaps([kept[-1], span])[0]
        else:
            kept.append(span)
    return kept
