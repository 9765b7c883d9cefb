"""Property: any byte string, under any supported file name, is parsed into records and record issues or is
rejected with a FileRejectedError naming the reason, never anything else, and in bounded time (hypothesis's
per-example deadline flags a super-linear path; sizes stay small so the deadline has ample room)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tuneline.data.processing.errors import FileRejectedError, RecordIssue
from tuneline.data.processing.parsers.base import ParseOptions, RawRecord
from tuneline.data.processing.parsers.dispatch import parse_upload
from tuneline.data.processing.pipeline import ingest

from .test_documents import make_docx, make_pdf

FUZZ = settings(
    max_examples=100,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
OPTIONS = ParseOptions(max_bytes=1 << 20, max_line_bytes=1 << 16, max_record_bytes=1 << 16, max_depth=16)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
records = st.dictionaries(
    st.sampled_from(["text", "label", "prompt", "completion", "messages", "answer", "x\x00"]), json_values, max_size=4
)


def _bytes_near(valid: bytes) -> st.SearchStrategy[bytes]:
    """A valid file with a stretch overwritten, cut short or grown: what a broken client or attacker sends."""
    return st.tuples(st.integers(0, max(0, len(valid) - 1)), st.binary(max_size=64), st.booleans()).map(
        lambda t: valid[: t[0]] + t[1] + (b"" if t[2] else valid[t[0] + len(t[1]) :])
    )


PDF = make_pdf(["Pump 3 leaked oil at the seal", "Maria replaced the valve"])
DOCX = make_docx(["Pump 3 leaked oil at the seal.", "Maria replaced the valve."], [["text", "label"], ["a", "b"]])


def _parses_or_rejects(data: bytes, name: str) -> None:
    try:
        upload = parse_upload(io.BytesIO(data), name, OPTIONS)
        items = list(upload.items)
    except FileRejectedError as exc:
        assert str(exc), "a rejection names its reason"
        return
    for item in items:
        assert isinstance(item, (RawRecord, RecordIssue))
        if isinstance(item, RecordIssue):
            assert item.message and item.location.describe()
        else:
            assert "\x00" not in json.dumps(item.fields, ensure_ascii=False)


def _ingests_or_rejects(data: bytes, name: str) -> None:
    try:
        result = ingest(io.BytesIO(data), name, sink=io.BytesIO(), parse_options=OPTIONS)
    except (FileRejectedError, ValueError) as exc:  # ValueError: no record format could be detected
        assert str(exc)
        return
    assert result.record_count >= 0 and result.report is not None


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Lazy imports and models load on first use; keep that out of the first example's deadline."""
    sample = b'{"text": "pump 3 leaked oil", "label": "hydraulic"}\n'
    for name, data in (("a.jsonl", sample), ("a.txt", b"\x99\xf9%\xd5 text"), ("a.pdf", PDF), ("a.docx", DOCX)):
        _ingests_or_rejects(data, name)


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["a.jsonl", "a.json", "a.csv", "a.tsv", "a.txt", "a.md"]))
def test_any_bytes_parse_or_are_rejected_with_a_reason(data, name):
    _parses_or_rejects(data, name)
    _ingests_or_rejects(data, name)


@FUZZ
@given(st.lists(st.one_of(records.map(json.dumps), json_values.map(json.dumps), st.text(max_size=40)), max_size=20))
@example(["{" * 5000 + "}" * 5000, '{"text": ' + "[" * 5000 + "]" * 5000 + "}"])
@example(['{"text": "a\\u0000b\\ud800", "label": "x\\u0000"}'])
def test_any_jsonl_lines_parse_or_are_rejected(lines):
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    _parses_or_rejects(data, "a.jsonl")
    _ingests_or_rejects(data, "a.jsonl")


@FUZZ
@given(st.one_of(st.lists(records, max_size=10).map(json.dumps), json_values.map(json.dumps)))
@example("[" * 5000 + "]" * 5000)
@example('{"records": [' + "[" * 3000 + "]" * 3000 + "]}")
def test_any_json_document_parses_or_is_rejected(document):
    _parses_or_rejects(document.encode(), "a.json")
    _ingests_or_rejects(document.encode(), "a.json")


@FUZZ
@given(st.lists(st.lists(st.text(max_size=20), max_size=4), max_size=20), st.sampled_from([",", ";", "\t", "|"]))
def test_any_csv_table_parses_or_is_rejected(rows, delimiter):
    data = "\n".join(delimiter.join(row) for row in rows).encode("utf-8", "surrogatepass")
    _parses_or_rejects(data, "a.csv")
    _ingests_or_rejects(data, "a.csv")


@FUZZ
@given(st.one_of(_bytes_near(PDF), st.binary(max_size=2048).map(lambda b: b"%PDF-1.4\n" + b)))
def test_any_pdf_like_bytes_parse_or_are_rejected(data):
    _parses_or_rejects(data, "a.pdf")
    _ingests_or_rejects(data, "a.pdf")


@FUZZ
@given(st.one_of(_bytes_near(DOCX), st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b)))
def test_any_docx_like_bytes_parse_or_are_rejected(data):
    _parses_or_rejects(data, "a.docx")
    _ingests_or_rejects(data, "a.docx")
