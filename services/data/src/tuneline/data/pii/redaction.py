"""Redaction policies: replace (<EMAIL_ADDRESS>), mask (****), or hash (keyed, stable pseudonyms).

Hashing uses HMAC-SHA256 with a salt from the service settings (at least 16 bytes), so the same value gets
the same token across a dataset and across versions (joins and repeated names stay consistent), while
the value cannot be recovered by hashing guesses without the salt.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tuneline.data.pii.engine import PiiSpan

MIN_SALT_BYTES = 16


class RedactionMode(StrEnum):
    REPLACE = "replace"
    MASK = "mask"
    HASH = "hash"


@dataclass(frozen=True)
class RedactionPolicy:
    mode: RedactionMode
    salt: bytes | None = None
    entities: frozenset[str] | None = None  # None: every detected entity type
    hash_chars: int = 16

    def __post_init__(self) -> None:
        if self.mode is RedactionMode.HASH and (self.salt is None or len(self.salt) < MIN_SALT_BYTES):
            raise ValueError(f"salt: hash redaction needs a salt of at least {MIN_SALT_BYTES} bytes")

    def token(self, entity_type: str, value: str) -> str:
        if self.mode is RedactionMode.REPLACE:
            return f"<{entity_type}>"
        if self.mode is RedactionMode.MASK:
            return "*" * len(value)
        assert self.salt is not None
        digest = hmac.new(self.salt, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"<{entity_type}:{digest[: self.hash_chars]}>"


def redact_text(text: str, spans: Sequence[PiiSpan], policy: RedactionPolicy) -> str:
    """Apply the policy to non-overlapping spans (as returned by the scanner)."""
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < cursor or (policy.entities is not None and span.entity_type not in policy.entities):
            continue
        pieces.append(text[cursor : span.start])
        pieces.append(policy.token(span.entity_type, text[span.start : span.end]))
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)
