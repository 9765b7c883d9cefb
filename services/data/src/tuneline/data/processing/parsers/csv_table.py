"""CSV/TSV with a header row: quoted fields, embedded newlines, BOM, delimiter sniffing, formula injection."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING

from tuneline.data.processing.encoding import TextSource
from tuneline.data.processing.errors import Location, MalformedFileError, RecordIssue
from tuneline.data.processing.formula import is_formula_like, neutralize
from tuneline.data.processing.parsers.base import ParsedItem, ParseOptions, RawRecord

if TYPE_CHECKING:
    import _csv

_SNIFF_LINES = 50


def _sniff_delimiter(sample_lines: list[str], delimiters: str) -> str:
    sample = "".join(sample_lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=delimiters).delimiter
    except csv.Error:
        # The sniffer gives up on one-column files and some quoted files: fall back to the delimiter
        # that occurs most often in the header line, else a comma.
        header = sample_lines[0] if sample_lines else ""
        counts = {d: header.count(d) for d in delimiters}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] > 0 else ","


def parse_csv(source: TextSource, options: ParseOptions) -> Iterator[ParsedItem]:
    lines = (line for _, line in source.lines())
    head: list[str] = []
    for line in lines:
        head.append(line.lstrip("\ufeff") if not head else line)
        if len(head) >= _SNIFF_LINES:
            break
    delimiter = _sniff_delimiter(head, options.csv_delimiters)
    reader = csv.reader(chain(head, lines), delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise MalformedFileError(f"cannot read the CSV header: {exc}", location=Location(line=1)) from exc
    if header is None:
        return
    header = [name.strip() for name in header]
    if not any(header):
        raise MalformedFileError("the CSV header row is empty", location=Location(line=1))
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise MalformedFileError(f"duplicate column name '{name}' in the header", location=Location(line=1))
        seen.add(name)
    yield from _rows(reader, header)


def _rows(reader: _csv.Reader, header: list[str]) -> Iterator[ParsedItem]:
    row_number = 1
    last_line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The csv module cannot resynchronise after a broken quote; what follows is unreliable.
            raise MalformedFileError(
                f"CSV syntax error: {exc}", location=Location(row=row_number + 1, line=last_line + 1)
            ) from exc
        row_number += 1
        location = Location(row=row_number, line=last_line + 1)
        last_line = reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) != len(header):
            yield RecordIssue(location, "wrong_field_count", f"expected {len(header)} fields, got {len(cells)}")
            continue
        fields: dict[str, str] = {}
        for name, cell in zip(header, cells, strict=True):
            if is_formula_like(cell):
                yield RecordIssue(
                    location,
                    "formula_injection",
                    "cell starts like a spreadsheet formula; neutralised with a leading quote",
                    field=name,
                    severity="warning",
                )
                cell = neutralize(cell)
            fields[name] = cell
        yield RawRecord(fields, location)
