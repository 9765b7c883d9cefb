"""Server-sent events: turn a stream of text lines into (event, data) pairs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    event: str
    data: str
    id: str | None = None


def parse_sse(lines: Iterable[str]) -> Iterator[ServerSentEvent]:
    """Parse per the HTML spec's event-stream rules (multi-line data joined by newlines; comments skipped)."""
    event, event_id = "message", None
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield ServerSentEvent(event, "\n".join(data), event_id)
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
    if data:
        yield ServerSentEvent(event, "\n".join(data), event_id)
