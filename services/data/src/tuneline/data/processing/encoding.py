"""Encoding detection and line-by-line decoding of a binary stream.

Rules, in order: a BOM decides (UTF-8-SIG, UTF-16 LE/BE); NUL bytes without a BOM mean UTF-16 without BOM
when every other byte is NUL, else binary garbage; otherwise the head of the file is tried as UTF-8 and,
failing that, the whole file is read as cp1252 with a warning. A file that starts as valid UTF-8 and later
has a line that is not (mixed encodings, common when files were concatenated) gets that line decoded as
cp1252 and a warning naming the line, instead of failing the upload.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from tuneline.data.processing.errors import (
    BinaryContentError,
    EmptyFileError,
    FileRejectedError,
    Location,
    RecordIssue,
)
from tuneline.data.processing.streams import peek_head

SAMPLE_BYTES = 64 * 1024
DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024
_MAX_ENCODING_WARNINGS = 20

_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (DOCX/XLSX?)",
    b"\x7fELF": "an executable",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}
# Control characters other than tab, LF, FF, CR and ESC do not occur in text files.
_TEXT_CONTROL_OK = {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROL_OK) + b"\x7f"


@dataclass
class TextSource:
    """Decoded view of a binary stream; iterate :meth:`lines` once."""

    encoding: str
    _stream: IO[bytes]
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    warnings: list[RecordIssue] = field(default_factory=list)
    warning_count: int = 0

    def _warn(self, issue: RecordIssue) -> None:
        self.warning_count += 1
        if len(self.warnings) < _MAX_ENCODING_WARNINGS:
            self.warnings.append(issue)

    def lines(self) -> Iterator[tuple[int, str]]:
        """Yield (1-based line number, line text with its line ending kept)."""
        if self.encoding.startswith("utf-16"):
            yield from self._utf16_lines()
        else:
            yield from self._byte_lines()

    def _byte_lines(self) -> Iterator[tuple[int, str]]:
        strict_utf8 = self.encoding in ("utf-8", "utf-8-sig")
        if self.encoding == "utf-8-sig":
            self._stream.read(3)
        number = 0
        while True:
            raw = self._stream.readline(self.max_line_bytes + 1)
            if not raw:
                return
            number += 1
            if len(raw) > self.max_line_bytes:
                raise FileRejectedError(
                    f"line is longer than {self.max_line_bytes} bytes (TUNELINE_MAX_RECORD_BYTES)",
                    location=Location(line=number),
                )
            if strict_utf8:
                try:
                    yield number, raw.decode("utf-8")
                    continue
                except UnicodeDecodeError:
                    self._warn(
                        RecordIssue(
                            Location(line=number),
                            "mixed_encoding",
                            "line is not valid UTF-8 (mixed encodings?); decoded as cp1252",
                            severity="warning",
                        )
                    )
            yield number, raw.decode("cp1252", errors="replace")

    def _utf16_lines(self) -> Iterator[tuple[int, str]]:
        text = io.TextIOWrapper(self._stream, encoding=self.encoding, errors="strict", newline="")
        number = 0
        try:
            while True:
                line = text.readline(self.max_line_bytes)
                if not line:
                    return
                number += 1
                yield number, line.lstrip("\ufeff") if number == 1 else line
        except UnicodeDecodeError as exc:
            raise FileRejectedError(
                f"invalid {self.encoding} data ({exc.reason})", location=Location(line=number + 1)
            ) from exc


def _looks_utf16_without_bom(head: bytes) -> str | None:
    sample = head[: 4096 - (len(head[:4096]) % 2)]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) / 2)
    odd_nul = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nul > 0.6 and even_nul < 0.1:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.1:
        return "utf-16-be"
    return None


def _valid_utf8_prefix(head: bytes, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _has_utf8_lines(head: bytes, complete: bool) -> bool:
    """True when some non-ASCII line is valid UTF-8: the file mixes encodings rather than being cp1252.

    Windows-1252 text almost never forms valid multi-byte UTF-8 sequences by chance, so one such line
    is strong evidence the file is mostly UTF-8 with a few foreign lines.
    """
    lines = head.split(b"\n")
    if not complete:
        lines = lines[:-1]
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def detect_encoding(head: bytes, *, complete: bool) -> tuple[str, list[RecordIssue]]:
    """Pick the encoding from the first bytes; `complete` says the head is the whole file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", []
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", []
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise BinaryContentError(f"file content is {what}, not text")
    if b"\x00" in head:
        guessed = _looks_utf16_without_bom(head)
        if guessed:
            return guessed, []
        raise BinaryContentError("file contains NUL bytes: binary data, not text")
    control = sum(head.count(bytes([b])) for b in _CONTROL_BYTES)
    if head and control / len(head) > 0.05:
        raise BinaryContentError(f"file looks binary ({control} control bytes in the first {len(head)} bytes)")
    if _valid_utf8_prefix(head, complete) or _has_utf8_lines(head, complete):
        return "utf-8", []
    warning = RecordIssue(
        Location(),
        "encoding_fallback",
        "file is not valid UTF-8; decoded as cp1252 (Windows-1252)",
        severity="warning",
    )
    return "cp1252", [warning]


def open_text(stream: IO[bytes], *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> TextSource:
    """Sniff `stream` and return a line-decoding view; raises on empty or binary files."""
    head, replay = peek_head(stream, SAMPLE_BYTES)
    complete = len(head) < SAMPLE_BYTES
    stripped = head
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if stripped.startswith(bom):
            stripped = stripped[len(bom) :]
            break
    if not stripped:
        raise EmptyFileError("file is empty")
    if complete and not stripped.replace(b"\x00", b"").strip():
        raise EmptyFileError("file contains only whitespace")
    encoding, warnings = detect_encoding(head, complete=complete)
    source = TextSource(encoding=encoding, _stream=replay, max_line_bytes=max_line_bytes)
    for issue in warnings:
        source._warn(issue)
    return source
