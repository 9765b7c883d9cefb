"""Shared types for the streaming parsers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tuneline.data.processing.errors import Location, RecordIssue


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as found in the file, before mapping to a canonical shape."""

    fields: dict[str, Any]
    location: Location


ParsedItem = RawRecord | RecordIssue


@dataclass(frozen=True)
class ParseOptions:
    """Limits and knobs for parsing; defaults suit uploads of up to a few GB."""

    max_bytes: int = 2 * 1024**3
    max_line_bytes: int = 4 * 1024 * 1024
    max_record_bytes: int = 8 * 1024 * 1024
    # Deeper records are rejected (record issue); every later step may then walk a record recursively.
    max_depth: int = 64
    # JSON objects holding the records under one of these keys are streamed from that key.
    records_keys: tuple[str, ...] = ("records", "data", "items", "examples", "rows")
    # Text documents (TXT, PDF, DOCX) are cut into chunks of at most this many characters.
    chunk_chars: int = 2000
    # DOCX zip-bomb guard.
    max_uncompressed_bytes: int = 256 * 1024 * 1024
    max_compression_ratio: float = 100.0
    max_zip_entries: int = 10_000
    csv_delimiters: str = ",;\t|"
    extra: dict[str, Any] = field(default_factory=dict)
