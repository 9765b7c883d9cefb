"""Canonical record shapes every dataset version is stored in (one JSON object per line).

- instruction:     {"prompt": str, "completion": str}
- conversational:  {"messages": [{"role": "system"|"user"|"assistant", "content": str}, ...]}
- classification:  {"text": str, "label": str}
- text:            {"text": str, "source": str | None, "page": int | None}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

CanonicalRecord = dict[str, Any]


class RecordMode(StrEnum):
    INSTRUCTION = "instruction"
    CONVERSATIONAL = "conversational"
    CLASSIFICATION = "classification"
    TEXT = "text"


CANONICAL_FIELDS: dict[RecordMode, tuple[str, ...]] = {
    RecordMode.INSTRUCTION: ("prompt", "completion"),
    RecordMode.CONVERSATIONAL: ("messages",),
    RecordMode.CLASSIFICATION: ("text", "label"),
    RecordMode.TEXT: ("text", "source", "page"),
}

MESSAGE_ROLES = ("system", "user", "assistant")


def record_texts(record: CanonicalRecord, mode: RecordMode) -> list[str]:
    """The free-text parts of a record (what token counts, PII scans and dedup look at)."""
    if mode is RecordMode.INSTRUCTION:
        return [record["prompt"], record["completion"]]
    if mode is RecordMode.CONVERSATIONAL:
        return [message["content"] for message in record["messages"]]
    return [record["text"]]


def record_text(record: CanonicalRecord, mode: RecordMode) -> str:
    return "\n".join(record_texts(record, mode))
