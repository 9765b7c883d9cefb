"""The demo's bundled datasets, written as the files a plant would export (with the flaws real exports have)."""

from __future__ import annotations

import json
from pathlib import Path

from tuneline.common.samples import maintenance_classification, quality_summaries

#: Personal data a technician typed into free text; the data service must find and redact it.
PLANTED_PII = (
    " Called John Miller on +1 415 555 0134 about the spare part.",
    " Sent photos to anna.schmidt@plant-example.com for review.",
    " Night shift lead Peter Novak confirmed, badge ID 4417-2281.",
    " Vendor tech reachable at mark.jones@vendor-example.org.",
)
#: The personal values inside PLANTED_PII: none may appear in a log line or a dead letter.
PLANTED_PII_VALUES = (
    "John Miller",
    "+1 415 555 0134",
    "anna.schmidt@plant-example.com",
    "Peter Novak",
    "4417-2281",
    "mark.jones@vendor-example.org",
)


def write_maintenance_logs(path: Path, n: int = 160, seed: int = 7, duplicates: int = 6) -> dict[str, int]:
    """JSONL {"text", "label"}: `n` entries, PII planted in a few, the first `duplicates` entries repeated.

    Returns what was planted, so the demo (and its test) can compare with what the data service reports.
    """
    if n < len(PLANTED_PII) + duplicates:
        raise ValueError(f"n must be at least {len(PLANTED_PII) + duplicates} to plant PII and duplicates, got {n}")
    records = maintenance_classification(n=n, seed=seed)
    for i, extra in enumerate(PLANTED_PII):  # spread over the file, away from the duplicated head
        records[duplicates + (i + 1) * (n - duplicates) // (len(PLANTED_PII) + 1)]["text"] += extra
    records += [dict(r) for r in records[:duplicates]]
    _write_jsonl(path, records)
    return {"records": len(records), "pii_records": len(PLANTED_PII), "duplicates": duplicates}


def write_quality_summaries(path: Path, n: int = 60, seed: int = 3) -> dict[str, int]:
    """JSONL {"prompt", "completion"}: shift log excerpts and their quality-issue summaries."""
    records = quality_summaries(n=n, seed=seed)
    _write_jsonl(path, records)
    return {"records": len(records)}


def _write_jsonl(path: Path, records: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
