"""Held-out records as the runner sees them: the shared reader's records (tuneline.common.records) with the prompt
turns the use case's template gives them and the reference answer to score against.

Parsing rules live only in tuneline.common.records; this module turns those records into what the runner
generates from (``messages``) and scores against (``reference``), and keeps the decoded row for metric plug-ins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tuneline.common.records import Message, PromptTemplate, RecordFormat, labels_of, parse_record


@dataclass(frozen=True)
class EvalRecord:
    id: str
    messages: list[Message]
    reference: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def prompt_text(self) -> str:
        return "\n".join(m["content"] for m in self.messages)


def eval_template(template: Mapping[str, Any] | None, labels: Sequence[str] | None) -> PromptTemplate | None:
    """The use case's template with the label set (``labels`` when given); None: decided from the records."""
    if template is None:
        return None
    parsed = PromptTemplate.model_validate(template)
    return parsed.model_copy(update={"labels": list(labels)}) if labels else parsed


def parse_records(
    rows: Sequence[Mapping[str, Any]], labels: Sequence[str] | None = None, template: PromptTemplate | None = None
) -> list[EvalRecord]:
    """Rows of one held-out split. Classification inputs are put in ``template`` (default: the neutral
    ``PromptTemplate.generic``); its labels default to ``labels``, then the sorted distinct labels of the rows."""
    if not rows:
        raise ValueError("the held-out split is empty: nothing to evaluate")
    shape: RecordFormat | None = None
    records = []
    for position, row in enumerate(rows):
        record = parse_record(row, f"record {position}", shape)
        shape = record.format
        records.append(record)
    shown = list(labels) if labels else labels_of(records)
    prompt = template.with_labels(shown) if template else PromptTemplate.generic(shown)
    return [
        EvalRecord(
            id=record.id if record.id is not None else str(position),
            messages=record.prompt(prompt),
            reference=record.reference.strip(),
            raw=dict(row),
        )
        for position, (record, row) in enumerate(zip(records, rows, strict=True))
    ]
