"""Building a dataset version from canonical records on local disk (runs in a worker thread).

Given a canonical JSONL file, one pass each: optional PII scan and redaction (writing a new file), validation
(report, duplicate groups, content keys and labels for the split), split planning, and writing the split
files. Everything lands in a work directory; the service uploads the files and records the version only
when all of it succeeded, so a failure leaves nothing half-stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneline.data.pii.engine import SpanScanner
from tuneline.data.pii.redaction import RedactionPolicy
from tuneline.data.pii.report import PiiAudit, PiiReport
from tuneline.data.processing.dedup import exact_key
from tuneline.data.processing.errors import Location
from tuneline.data.processing.records import CANONICAL_FIELDS, CanonicalRecord, RecordMode, record_text
from tuneline.data.processing.splits import SplitPlan, SplitSpec, plan_splits
from tuneline.data.processing.tokens import TokenCounter
from tuneline.data.processing.validation import DatasetValidator, FormatSection, ValidationConfig, ValidationReport
from tuneline.data.processing.writer import JsonlWriter

RecordTransform = Callable[[Iterator[CanonicalRecord]], Iterator[CanonicalRecord]]


@dataclass
class BuildOptions:
    mode: RecordMode
    validation: ValidationConfig
    token_counter: TokenCounter
    tokenizer_name: str
    split: SplitSpec
    scanner: SpanScanner | None = None
    redaction: RedactionPolicy | None = None
    carried_format: FormatSection | None = None


@dataclass
class BuiltVersion:
    records_path: Path
    record_count: int
    content_hash: str
    mode: RecordMode
    report: ValidationReport
    pii_report: PiiReport | None
    remaining_pii: int
    split_plan: SplitPlan
    split_paths: dict[str, Path]
    labels: list[str]
    token_stats: dict[str, Any] = field(default_factory=dict)

    @property
    def fields(self) -> list[str]:
        return list(CANONICAL_FIELDS[self.mode])


def iter_records(path: Path) -> Iterator[CanonicalRecord]:
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def write_records(records: Iterator[CanonicalRecord], path: Path) -> tuple[int, str]:
    with path.open("wb") as handle:
        writer = JsonlWriter(handle)
        for record in records:
            writer.write(record)
    return writer.count, writer.content_hash


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_version(source: Path, work_dir: Path, options: BuildOptions) -> BuiltVersion:
    """Scan/redact, validate and split the canonical records in `source`."""
    work_dir.mkdir(parents=True, exist_ok=True)
    records_path = source
    pii_report: PiiReport | None = None
    remaining = 0
    if options.scanner is not None:
        audit = PiiAudit(options.scanner, options.mode, options.redaction)
        if options.redaction is not None:
            records_path = work_dir / "records.jsonl"
            write_records(audit.process(iter_records(source)), records_path)
        else:
            for _ in audit.process(iter_records(source)):
                pass
        pii_report = audit.report()
        remaining = _remaining(pii_report, options.redaction)

    validator = DatasetValidator(options.mode, options.validation, options.token_counter)
    if options.carried_format is not None:
        validator.carry_format(options.carried_format)
    keys: list[int] = []
    labels: list[str] = []
    for index, record in enumerate(iter_records(records_path)):
        validator.add_record(record, Location(row=index + 1))
        keys.append(exact_key(record_text(record, options.mode)))
        if options.mode is RecordMode.CLASSIFICATION:
            labels.append(record["label"])
    report = validator.report()
    stratify = options.split.stratified and options.mode is RecordMode.CLASSIFICATION
    spec = SplitSpec(options.split.ratios, options.split.seed, stratify)
    plan = plan_splits(keys, spec, labels=labels if stratify else None, duplicate_of=validator.duplicate_of)
    split_paths = _write_splits(records_path, work_dir, plan)
    tokens = report.tokens
    return BuiltVersion(
        records_path=records_path,
        record_count=len(keys),
        content_hash=file_sha256(records_path),
        mode=options.mode,
        report=report,
        pii_report=pii_report,
        remaining_pii=remaining,
        split_plan=plan,
        split_paths=split_paths,
        labels=sorted({label for label in labels if label.strip()}),
        token_stats={
            "total": tokens.total,
            "mean": tokens.mean or 0.0,
            "p95": float(tokens.p95 or 0),
            "max": tokens.max or 0,
            "tokenizer": options.tokenizer_name,
        },
    )


def _remaining(report: PiiReport, policy: RedactionPolicy | None) -> int:
    """Findings a redaction did not cover (all of them when nothing was redacted)."""
    return sum(
        findings.count
        for entity, findings in report.entities.items()
        if policy is None or (policy.entities is not None and entity not in policy.entities)
    )


def _write_splits(records_path: Path, work_dir: Path, plan: SplitPlan) -> dict[str, Path]:
    paths = {name: work_dir / f"{name}.jsonl" for name in plan.names}
    handles = {name: path.open("wb") for name, path in paths.items()}
    try:
        writers = {name: JsonlWriter(handle) for name, handle in handles.items()}
        for index, record in enumerate(iter_records(records_path)):
            writers[plan.split_of(index)].write(record)
    finally:
        for handle in handles.values():
            handle.close()
    return paths
