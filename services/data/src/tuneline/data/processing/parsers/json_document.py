"""A JSON document holding records: a top-level array, or an object with the array under a records key.

The document is streamed element by element with the C decoder (`raw_decode`) over a sliding buffer, so a
multi-GB array never sits in memory; only one element (bounded by `max_record_bytes`) does. A syntax error
in a JSON document makes the rest unparseable, so it is reported with its line and column and reading stops.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tuneline.data.processing.encoding import TextSource
from tuneline.data.processing.errors import Location, MalformedFileError, RecordIssue
from tuneline.data.processing.parsers.base import ParsedItem, ParseOptions, RawRecord

_WS = " \t\r\n"
_decoder = json.JSONDecoder()


class _Cursor:
    """A read position over a growing text buffer that tracks the current line number."""

    def __init__(self, source: TextSource, max_record_chars: int) -> None:
        self._lines = (line for _, line in source.lines())
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False
        self.max_record_chars = max_record_chars
        self.value_line = 1

    def fill(self) -> bool:
        if self.eof:
            return False
        if self.pos > 1 << 16:
            self.buf = self.buf[self.pos :]
            self.pos = 0
        added = 0
        for line in self._lines:
            self.buf += line
            added += len(line)
            if added >= 1 << 16:
                break
        else:
            self.eof = True
        return added > 0

    def advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def peek(self) -> str:
        """Next non-whitespace character ('' at end of input), without consuming it."""
        while True:
            pos = self.pos
            n = len(self.buf)
            while pos < n and self.buf[pos] in _WS:
                pos += 1
            self.advance(pos)
            if pos < n:
                return self.buf[pos]
            if not self.fill():
                return ""

    def expect(self, chars: str) -> str:
        ch = self.peek()
        if ch == "" or ch not in chars:
            found = "end of file" if ch == "" else repr(ch)
            raise MalformedFileError(f"expected one of {chars!r}, found {found}", location=Location(line=self.line))
        self.advance(self.pos + 1)
        return ch

    def value(self) -> Any:
        """Decode the next JSON value, reading more input while it is incomplete."""
        self.peek()
        while True:
            try:
                obj, end = _decoder.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise MalformedFileError("JSON nested too deeply to read", location=Location(line=self.line)) from None
            except json.JSONDecodeError as exc:
                truncated = exc.pos >= len(self.buf) - 1 or exc.msg.startswith("Unterminated string")
                if truncated and self._grow():
                    continue
                line = self.line + self.buf.count("\n", self.pos, exc.pos)
                raise MalformedFileError(f"invalid JSON: {exc.msg}", location=Location(line=line)) from exc
            # A number at the very end of the buffer may continue in the next chunk.
            if end == len(self.buf) and not self.eof and self._grow():
                continue
            if end - self.pos > self.max_record_chars:
                raise MalformedFileError(
                    f"a record is larger than {self.max_record_chars} characters", location=Location(line=self.line)
                )
            start_line = self.line
            self.advance(end)
            self.value_line = start_line
            return obj

    def _grow(self) -> bool:
        if len(self.buf) - self.pos > self.max_record_chars:
            raise MalformedFileError(
                f"a record is larger than {self.max_record_chars} characters", location=Location(line=self.line)
            )
        return self.fill()


def _stream_array(cur: _Cursor) -> Iterator[ParsedItem]:
    cur.expect("[")
    if cur.peek() == "]":
        cur.advance(cur.pos + 1)
        return
    while True:
        value = cur.value()
        location = Location(line=cur.value_line)
        if isinstance(value, dict):
            yield RawRecord(value, location)
        else:
            yield RecordIssue(location, "not_an_object", f"expected a JSON object, got {type(value).__name__}")
        if cur.expect(",]") == "]":
            return


def parse_json_document(source: TextSource, options: ParseOptions) -> Iterator[ParsedItem]:
    cur = _Cursor(source, options.max_record_bytes)
    first = cur.peek()
    if first == "\ufeff":
        cur.advance(cur.pos + 1)
        first = cur.peek()
    if first == "[":
        yield from _stream_array(cur)
    elif first == "{":
        yield from _stream_object(cur, options)
    else:
        found = "end of file" if first == "" else repr(first)
        raise MalformedFileError(
            f"a JSON document must start with '[' or '{{', found {found}", location=Location(line=cur.line)
        )
    if cur.peek() != "":
        raise MalformedFileError("unexpected data after the end of the JSON document", location=Location(line=cur.line))


def _stream_object(cur: _Cursor, options: ParseOptions) -> Iterator[ParsedItem]:
    cur.expect("{")
    start_line = cur.line
    others: dict[str, Any] = {}
    streamed = False
    if cur.peek() == "}":
        cur.advance(cur.pos + 1)
    else:
        while True:
            key = cur.value()
            if not isinstance(key, str):
                raise MalformedFileError("object keys must be strings", location=Location(line=cur.line))
            cur.expect(":")
            if key in options.records_keys and not streamed and cur.peek() == "[":
                streamed = True
                yield from _stream_array(cur)
            else:
                others[key] = cur.value()
            if cur.expect(",}") == "}":
                break
    if not streamed and others:
        # No records array: the object itself is a single record.
        yield RawRecord(others, Location(line=start_line))
