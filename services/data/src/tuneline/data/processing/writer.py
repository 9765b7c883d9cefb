"""Canonical JSONL serialisation and the content hash of a dataset version.

Each record is written as compact JSON with sorted keys and raw UTF-8, one per line. The version's content
hash is the SHA-256 of exactly those bytes in record order, so the same records in the same order always
give the same hash, and the hash can be re-checked from the stored file alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import IO

from tuneline.data.processing.records import CanonicalRecord


def canonical_line(record: CanonicalRecord) -> bytes:
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


class ContentHasher:
    """Incremental SHA-256 over canonical lines."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.count = 0

    def update(self, line: bytes) -> None:
        self._sha.update(line)
        self.count += 1

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def content_hash(records: Iterable[CanonicalRecord]) -> str:
    hasher = ContentHasher()
    for record in records:
        hasher.update(canonical_line(record))
    return hasher.hexdigest()


class JsonlWriter:
    """Writes canonical records to a binary sink and hashes them on the way."""

    def __init__(self, sink: IO[bytes]) -> None:
        self._sink = sink
        self._hasher = ContentHasher()
        self.bytes_written = 0

    def write(self, record: CanonicalRecord) -> None:
        line = canonical_line(record)
        self._sink.write(line)
        self._hasher.update(line)
        self.bytes_written += len(line)

    @property
    def count(self) -> int:
        return self._hasher.count

    @property
    def content_hash(self) -> str:
        return self._hasher.hexdigest()


def read_jsonl(stream: IO[bytes]) -> Iterable[CanonicalRecord]:
    """Read canonical records back (stored versions are trusted: written by :class:`JsonlWriter`)."""
    for line in stream:
        if line.strip():
            yield json.loads(line)
