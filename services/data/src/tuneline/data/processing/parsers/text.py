"""Plain text: paragraphs (separated by blank lines) become records, long ones are chunked."""

from __future__ import annotations

from collections.abc import Iterator

from tuneline.data.processing.encoding import TextSource
from tuneline.data.processing.errors import Location
from tuneline.data.processing.parsers.base import ParsedItem, ParseOptions, RawRecord
from tuneline.data.processing.parsers.chunking import chunk_text


def parse_text(source: TextSource, options: ParseOptions, *, source_name: str) -> Iterator[ParsedItem]:
    paragraph: list[str] = []
    start = 0
    size = 0
    for number, line in source.lines():
        if line.strip():
            if not paragraph:
                start = number
            paragraph.append(line.strip())
            size += len(line)
            # A file without blank lines must not build one giant paragraph in memory.
            if size < options.chunk_chars * 4:
                continue
        if paragraph:
            yield from _emit(paragraph, start, options, source_name)
            paragraph, size = [], 0
    if paragraph:
        yield from _emit(paragraph, start, options, source_name)


def _emit(lines: list[str], start: int, options: ParseOptions, source_name: str) -> Iterator[ParsedItem]:
    for chunk in chunk_text(" ".join(lines), options.chunk_chars):
        yield RawRecord({"text": chunk, "source": source_name, "page": None}, Location(line=start))
