"""The model input (and label) of a canonical dataset record, per record format."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def input_text(record: dict[str, Any]) -> str | None:
    for field in ("prompt", "text", "input"):
        value = record.get(field)
        if isinstance(value, str):
            return value
    messages = record.get("messages")
    if isinstance(messages, list):
        user = [m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        return "\n".join(str(part) for part in user) or None
    return None


def label_of(record: dict[str, Any]) -> str | None:
    value = record.get("label")
    return str(value) if value is not None else None


def parse_jsonl(lines: Iterable[bytes]) -> Iterator[tuple[str, str | None]]:
    """(input, label) per record; the error names the line that is not a JSON object."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"line {number}: not valid JSON ({error.msg})") from error
        if not isinstance(record, dict):
            raise ValueError(f"line {number}: expected a JSON object")
        text = input_text(record)
        if text is not None:
            yield text, label_of(record)
