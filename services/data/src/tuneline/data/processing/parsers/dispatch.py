"""Pick the parser for an upload and apply the checks every format shares (size limit, empty file)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any

from tuneline.common.text import clean_value
from tuneline.data.processing.encoding import TextSource, open_text
from tuneline.data.processing.errors import EmptyFileError, RecordIssue, UnsupportedFormatError
from tuneline.data.processing.filenames import file_extension, sanitize_filename
from tuneline.data.processing.parsers.base import ParsedItem, ParseOptions, RawRecord
from tuneline.data.processing.parsers.csv_table import parse_csv
from tuneline.data.processing.parsers.docx import parse_docx
from tuneline.data.processing.parsers.json_document import parse_json_document
from tuneline.data.processing.parsers.jsonl import parse_jsonl
from tuneline.data.processing.parsers.pdf import parse_pdf
from tuneline.data.processing.parsers.text import parse_text
from tuneline.data.processing.streams import limit_stream


class FileFormat(StrEnum):
    JSONL = "jsonl"
    JSON = "json"
    CSV = "csv"
    TXT = "txt"
    PDF = "pdf"
    DOCX = "docx"


_EXTENSIONS = {
    "jsonl": FileFormat.JSONL,
    "ndjson": FileFormat.JSONL,
    "json": FileFormat.JSON,
    "csv": FileFormat.CSV,
    "tsv": FileFormat.CSV,
    "txt": FileFormat.TXT,
    "text": FileFormat.TXT,
    "md": FileFormat.TXT,
    "pdf": FileFormat.PDF,
    "docx": FileFormat.DOCX,
}


def format_for(filename: str) -> FileFormat:
    ext = file_extension(filename)
    try:
        return _EXTENSIONS[ext]
    except KeyError:
        supported = ", ".join(sorted(_EXTENSIONS))
        raise UnsupportedFormatError(f"unsupported file type '.{ext}' (supported: {supported})") from None


@dataclass
class ParsedUpload:
    """Records of one upload, produced lazily; warnings fill in while :attr:`items` is consumed."""

    filename: str
    format: FileFormat
    items: Iterator[ParsedItem]
    text_source: TextSource | None = None
    record_count: int = 0
    issue_count: int = 0
    _extra_warnings: list[RecordIssue] = field(default_factory=list)
    #: Characters PostgreSQL refuses, stripped from record text, by reason ("nul", "lone_surrogate").
    sanitised: Tally[str] = field(default_factory=Tally)

    @property
    def encoding(self) -> str | None:
        return self.text_source.encoding if self.text_source is not None else None

    @property
    def encoding_warnings(self) -> list[RecordIssue]:
        return list(self.text_source.warnings) if self.text_source is not None else []

    @property
    def encoding_warning_count(self) -> int:
        return self.text_source.warning_count if self.text_source is not None else 0


def parse_upload(
    stream: IO[bytes],
    filename: str,
    options: ParseOptions | None = None,
    *,
    file_format: FileFormat | None = None,
) -> ParsedUpload:
    """Start parsing `stream`; iterate ``.items`` to get records and record-level issues.

    File-level problems raise :class:`FileRejectedError` subclasses, some at once (unsupported type,
    binary or empty text files) and some while iterating (size limit, malformed JSON document).
    """
    options = options or ParseOptions()
    safe_name = sanitize_filename(filename)
    fmt = file_format or format_for(safe_name)
    limited = limit_stream(stream, options.max_bytes)
    upload = ParsedUpload(filename=safe_name, format=fmt, items=iter(()))
    raw_items: Iterator[ParsedItem]
    if fmt is FileFormat.PDF:
        raw_items = parse_pdf(limited, options, source_name=safe_name)
    elif fmt is FileFormat.DOCX:
        raw_items = parse_docx(limited, options, source_name=safe_name)
    else:
        source = open_text(limited, max_line_bytes=options.max_line_bytes)
        upload.text_source = source
        if fmt is FileFormat.JSONL:
            raw_items = parse_jsonl(source)
        elif fmt is FileFormat.JSON:
            raw_items = parse_json_document(source, options)
        elif fmt is FileFormat.CSV:
            raw_items = parse_csv(source, options)
        else:
            raw_items = parse_text(source, options, source_name=safe_name)
    upload.items = _counted(upload, raw_items, options.max_depth)
    return upload


def depth(value: Any) -> int:
    """Nesting depth of a JSON value (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            deepest = max(deepest, level)
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in item)
    return deepest


def _checked(record: RawRecord, max_depth: int, sanitised: Tally[str]) -> ParsedItem:
    if depth(record.fields) > max_depth:
        return RecordIssue(
            record.location, "too_deep", f"record is nested deeper than {max_depth} levels (TUNELINE_MAX_RECORD_DEPTH)"
        )
    # PostgreSQL refuses NUL and lone surrogates, and UTF-8 cannot hold the latter: strip them (counted).
    return RawRecord(clean_value(record.fields, sanitised), record.location)


def _counted(upload: ParsedUpload, items: Iterator[ParsedItem], max_depth: int) -> Iterator[ParsedItem]:
    for raw in items:
        item = _checked(raw, max_depth, upload.sanitised) if isinstance(raw, RawRecord) else raw
        if isinstance(item, RawRecord):
            upload.record_count += 1
        elif item.severity == "error":
            upload.issue_count += 1
        yield item
    if upload.record_count == 0 and upload.issue_count == 0:
        raise EmptyFileError("file contains no records")
