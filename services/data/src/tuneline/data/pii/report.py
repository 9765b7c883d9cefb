"""PII findings per dataset: counts per entity type, affected records, masked examples, and redaction.

Works on canonical records: every free-text field is scanned separately so spans index into that field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from tuneline.data.pii.engine import PiiSpan, SpanScanner
from tuneline.data.pii.masking import mask_value
from tuneline.data.pii.redaction import RedactionPolicy, redact_text
from tuneline.data.processing.records import CanonicalRecord, RecordMode

MAX_EXAMPLES_PER_ENTITY = 5


class EntityFindings(BaseModel):
    count: int = Field(description="occurrences")
    records: int = Field(description="records with at least one occurrence")
    examples: list[str] = Field(description="masked values, never raw")
    example_records: list[int] = Field(description="1-based record numbers of the first occurrences")


class PiiReport(BaseModel):
    method: str
    records_scanned: int
    records_with_pii: int
    entities: dict[str, EntityFindings]


def _text_fields(record: CanonicalRecord, mode: RecordMode) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, text) for every free-text field; the path lets redaction write back."""
    if mode is RecordMode.INSTRUCTION:
        return [(("prompt",), record["prompt"]), (("completion",), record["completion"])]
    if mode is RecordMode.CONVERSATIONAL:
        return [(("messages", i, "content"), m["content"]) for i, m in enumerate(record["messages"])]
    return [(("text",), record["text"])]


def _replace(record: CanonicalRecord, path: tuple[str | int, ...], value: str) -> None:
    target: object = record
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]


@dataclass
class _Tally:
    count: int = 0
    records: int = 0
    examples: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


@dataclass
class PiiAudit:
    """Scans records in batches, accumulates the report, and optionally yields redacted copies."""

    scanner: SpanScanner
    mode: RecordMode
    policy: RedactionPolicy | None = None
    batch_size: int = 512
    records_scanned: int = 0
    records_with_pii: int = 0
    _entities: dict[str, _Tally] = field(default_factory=dict)

    def process(self, records: Iterable[CanonicalRecord]) -> Iterator[CanonicalRecord]:
        """Yield each record (redacted when a policy is set) while accounting its findings."""
        batch: list[CanonicalRecord] = []
        for record in records:
            batch.append(record)
            if len(batch) >= self.batch_size:
                yield from self._process_batch(batch)
                batch = []
        if batch:
            yield from self._process_batch(batch)

    def _process_batch(self, batch: list[CanonicalRecord]) -> Iterator[CanonicalRecord]:
        fields = [_text_fields(record, self.mode) for record in batch]
        flat = [text for record_fields in fields for _, text in record_fields]
        spans = self.scanner.scan(flat)
        position = 0
        for record, record_fields in zip(batch, fields, strict=True):
            self.records_scanned += 1
            record_spans = spans[position : position + len(record_fields)]
            position += len(record_fields)
            self._account(record_fields, record_spans)
            if self.policy is None:
                yield record
                continue
            redacted = _deep_copy(record)
            for (path, text), text_spans in zip(record_fields, record_spans, strict=True):
                if text_spans:
                    _replace(redacted, path, redact_text(text, text_spans, self.policy))
            yield redacted

    def _account(self, record_fields: list[tuple[tuple[str | int, ...], str]], spans: list[list[PiiSpan]]) -> None:
        types_here: set[str] = set()
        for (_, text), text_spans in zip(record_fields, spans, strict=True):
            for span in text_spans:
                tally = self._entities.setdefault(span.entity_type, _Tally())
                tally.count += 1
                if len(tally.examples) < MAX_EXAMPLES_PER_ENTITY:
                    tally.examples.append(mask_value(span.entity_type, text[span.start : span.end]))
                    tally.rows.append(self.records_scanned)
                types_here.add(span.entity_type)
        for entity_type in types_here:
            self._entities[entity_type].records += 1
        if types_here:
            self.records_with_pii += 1

    def report(self) -> PiiReport:
        return PiiReport(
            method=self.scanner.description,
            records_scanned=self.records_scanned,
            records_with_pii=self.records_with_pii,
            entities={
                name: EntityFindings(
                    count=tally.count, records=tally.records, examples=tally.examples, example_records=tally.rows
                )
                for name, tally in sorted(self._entities.items())
            },
        )


def _deep_copy(record: CanonicalRecord) -> CanonicalRecord:
    if "messages" in record:
        return {**record, "messages": [dict(m) for m in record["messages"]]}
    return dict(record)
