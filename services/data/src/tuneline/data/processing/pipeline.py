"""Parse → normalise → validate (→ write canonical JSONL) for one upload, in one streaming pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from tuneline.data.processing.errors import RecordIssue
from tuneline.data.processing.normalise import Normaliser
from tuneline.data.processing.parsers.base import ParseOptions
from tuneline.data.processing.parsers.dispatch import FileFormat, parse_upload
from tuneline.data.processing.records import RecordMode
from tuneline.data.processing.tokens import TokenCounter, simple_token_count
from tuneline.data.processing.validation import DatasetValidator, ValidationConfig, ValidationReport
from tuneline.data.processing.writer import JsonlWriter


@dataclass
class IngestResult:
    filename: str
    file_format: FileFormat
    encoding: str | None
    mode: RecordMode | None
    report: ValidationReport
    record_count: int
    content_hash: str | None
    duplicate_of: dict[int, int]
    #: Characters PostgreSQL refuses, stripped from the records, by reason.
    sanitised: dict[str, int]


def ingest(
    stream: IO[bytes],
    filename: str,
    *,
    sink: IO[bytes] | None = None,
    mode: RecordMode | None = None,
    mapping: Mapping[str, str] | None = None,
    parse_options: ParseOptions | None = None,
    validation: ValidationConfig | None = None,
    token_counter: TokenCounter = simple_token_count,
    validate_records: bool = True,
) -> IngestResult:
    """Stream an upload through parsing, normalisation and validation; write valid records to `sink`.

    Raises :class:`FileRejectedError` for file-level problems; the caller discards `sink` then, so nothing
    half-written is kept. With `validate_records=False` only parse issues are collected (the caller validates
    the written records later, e.g. after redaction) and the report's record statistics stay empty.
    """
    upload = parse_upload(stream, filename, parse_options)
    normaliser = Normaliser(mode, mapping, default_source=upload.filename)
    validator = DatasetValidator(mode=mode, config=validation or ValidationConfig(), token_counter=token_counter)
    writer = JsonlWriter(sink) if sink is not None else None
    valid = 0
    for item in normaliser.run(upload.items):
        if isinstance(item, RecordIssue):
            validator.add_issue(item)
            continue
        if validator.mode is None:
            validator.mode = normaliser.mode
        valid += 1
        if validate_records:
            validator.add_record(item.record, item.location)
        if writer is not None:
            writer.write(item.record)
    if validator.mode is None:
        validator.mode = normaliser.mode
    for warning in upload.encoding_warnings:
        validator.add_issue(warning)
    # Warnings past the first few were only counted by the decoder; keep the total right.
    validator.warning_count += upload.encoding_warning_count - len(upload.encoding_warnings)
    return IngestResult(
        filename=upload.filename,
        file_format=upload.format,
        encoding=upload.encoding,
        mode=normaliser.mode,
        report=validator.report(),
        record_count=valid,
        content_hash=writer.content_hash if writer is not None else None,
        duplicate_of=dict(validator.duplicate_of),
        sanitised=dict(upload.sanitised),
    )
