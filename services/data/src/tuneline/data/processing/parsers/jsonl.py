"""JSON Lines: one JSON object per line; a bad line is reported and reading goes on."""

from __future__ import annotations

import json
from collections.abc import Iterator

from tuneline.data.processing.encoding import TextSource
from tuneline.data.processing.errors import Location, RecordIssue
from tuneline.data.processing.parsers.base import ParsedItem, RawRecord


def parse_jsonl(source: TextSource) -> Iterator[ParsedItem]:
    for number, line in source.lines():
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        location = Location(line=number)
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordIssue(location, "invalid_json", f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:  # the C decoder's own guard, at about 1,000 levels: not a JSONDecodeError
            yield RecordIssue(location, "too_deep", "JSON nested too deeply to read")
            continue
        if not isinstance(value, dict):
            yield RecordIssue(location, "not_an_object", f"expected a JSON object, got {type(value).__name__}")
            continue
        yield RawRecord(value, location)
