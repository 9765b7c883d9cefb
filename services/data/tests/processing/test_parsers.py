import io
import json

import pytest

from tuneline.data.processing.errors import (
    EmptyFileError,
    FileTooLargeError,
    MalformedFileError,
    RecordIssue,
    UnsupportedFormatError,
)
from tuneline.data.processing.parsers.base import ParseOptions, RawRecord
from tuneline.data.processing.parsers.dispatch import parse_upload


def _parse(data: bytes, name: str, options: ParseOptions | None = None) -> list:
    return list(parse_upload(io.BytesIO(data), name, options).items)


def _records(items: list) -> list[RawRecord]:
    return [i for i in items if isinstance(i, RawRecord)]


def _issues(items: list) -> list[RecordIssue]:
    return [i for i in items if isinstance(i, RecordIssue)]


# JSONL


def test_jsonl_reports_malformed_line_by_number_and_keeps_reading():
    data = b'{"prompt": "a", "completion": "b"}\n{"prompt": "x", \n\n[1, 2]\n{"prompt": "c", "completion": "d"}\n'
    items = _parse(data, "train.jsonl")
    assert [r.fields["prompt"] for r in _records(items)] == ["a", "c"]
    assert [(i.location.line, i.code) for i in _issues(items)] == [(2, "invalid_json"), (4, "not_an_object")]
    assert "line 2" in _issues(items)[0].describe()


def test_jsonl_reads_records_one_at_a_time():
    lines = (json.dumps({"text": f"t{i}", "label": "a"}).encode() + b"\n" for i in range(10**9))

    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            data = next(lines)
            buffer[: len(data)] = data
            return len(data)

    items = parse_upload(io.BufferedReader(Endless()), "endless.jsonl").items
    first = [next(items) for _ in range(3)]
    assert [r.fields["text"] for r in first] == ["t0", "t1", "t2"]


# JSON documents


def test_json_array_streams_every_element_with_its_line():
    data = b'[\n {"text": "a", "label": "x"},\n {"text": "b", "label": "y"}\n]'
    records = _records(_parse(data, "d.json"))
    assert [(r.fields["text"], r.location.line) for r in records] == [("a", 2), ("b", 3)]


def test_json_object_with_records_key_streams_that_array():
    data = json.dumps({"meta": {"v": 1}, "records": [{"text": str(i)} for i in range(3000)]}, indent=1).encode()
    records = _records(_parse(data, "d.json"))
    assert [r.fields["text"] for r in records] == [str(i) for i in range(3000)]


def test_json_single_object_is_one_record():
    records = _records(_parse(b'{"prompt": "p", "completion": "c"}', "one.json"))
    assert [r.fields for r in records] == [{"prompt": "p", "completion": "c"}]


def test_json_non_object_element_is_reported():
    items = _parse(b'[{"text": "a"},\n 7]', "d.json")
    assert [(i.location.line, i.code) for i in _issues(items)] == [(2, "not_an_object")]


def test_json_syntax_error_names_the_line():
    data = b'[\n{"text": "a"},\n{"text": "b" "label": 1}\n]'
    with pytest.raises(MalformedFileError, match=r"line 3: invalid JSON: Expecting ',' delimiter"):
        _parse(data, "d.json")


def test_json_trailing_data_is_rejected():
    with pytest.raises(MalformedFileError, match="after the end"):
        _parse(b'[{"a": 1}] {"b": 2}', "d.json")


def test_json_record_over_the_size_limit_is_rejected():
    data = b'[{"text": "' + b"x" * 300_000 + b'"}]'
    with pytest.raises(MalformedFileError, match="larger than 1000 characters"):
        _parse(data, "d.json", ParseOptions(max_record_bytes=1000, max_line_bytes=10**6))


def test_json_document_must_start_with_array_or_object():
    with pytest.raises(MalformedFileError, match="must start with"):
        _parse(b'"just a string"', "d.json")


# CSV


def test_csv_handles_quotes_embedded_newlines_and_reports_physical_lines():
    data = b'text,label\n"He said ""hi""\nthen left",greeting\nplain,other\n'
    records = _records(_parse(data, "c.csv"))
    assert records[0].fields == {"text": 'He said "hi"\nthen left', "label": "greeting"}
    assert (records[0].location.row, records[0].location.line) == (2, 2)
    assert (records[1].location.row, records[1].location.line) == (3, 4)


def test_csv_with_bom_has_a_clean_first_header():
    records = _records(_parse(b"\xef\xbb\xbftext,label\nhi,x\n", "c.csv"))
    assert records[0].fields == {"text": "hi", "label": "x"}


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_sniffs_the_delimiter(delimiter):
    data = f"text{delimiter}label\nhello, world{delimiter}a\nbye{delimiter}b\n".encode()
    records = _records(_parse(data, "c.csv"))
    assert [r.fields for r in records] == [{"text": "hello, world", "label": "a"}, {"text": "bye", "label": "b"}]


def test_csv_row_with_wrong_field_count_is_reported_with_row_and_line():
    items = _parse(b"text,label\na,b\nonly-one\nc,d\n", "c.csv")
    assert len(_records(items)) == 2
    issue = _issues(items)[0]
    assert issue.code == "wrong_field_count"
    assert issue.describe() == "row 3 (line 3): expected 2 fields, got 1"


def test_csv_formula_injection_is_flagged_and_neutralised():
    items = _parse(b'text,label\n"=HYPERLINK(""http://x"")",spam\n-5 degrees,ok\n', "c.csv")
    records = _records(items)
    assert records[0].fields["text"] == '\'=HYPERLINK("http://x")'
    assert records[1].fields["text"] == "-5 degrees"
    warning = _issues(items)[0]
    assert (warning.code, warning.field, warning.severity, warning.location.row) == (
        "formula_injection",
        "text",
        "warning",
        2,
    )


def test_csv_unclosed_quote_is_rejected_with_its_row():
    with pytest.raises(MalformedFileError, match=r"row 3 .*CSV syntax error"):
        _parse(b'text,label\na,b\n"unclosed,c\n', "c.csv")


def test_csv_duplicate_header_is_rejected():
    with pytest.raises(MalformedFileError, match="duplicate column name 'text'"):
        _parse(b"text,text\na,b\n", "c.csv")


# TXT


def test_text_paragraphs_become_records_with_source_and_start_line():
    data = b"First paragraph\ncontinues here.\n\n\nSecond one.\n"
    records = _records(_parse(data, "notes.txt"))
    assert [(r.fields["text"], r.location.line) for r in records] == [
        ("First paragraph continues here.", 1),
        ("Second one.", 5),
    ]
    assert records[0].fields["source"] == "notes.txt" and records[0].fields["page"] is None


def test_long_text_is_chunked_within_the_limit():
    sentence = "This sentence has exactly eight words in it. "
    records = _records(_parse((sentence * 200).encode(), "long.txt", ParseOptions(chunk_chars=500)))
    assert len(records) > 1
    assert all(len(r.fields["text"]) <= 500 for r in records)
    assert sum(len(r.fields["text"].split()) for r in records) == 1600


# shared checks


def test_rejects_file_over_the_size_limit():
    data = b'{"text": "a"}\n' * 100
    with pytest.raises(FileTooLargeError, match="size limit of 1000 bytes"):
        _parse(data, "big.jsonl", ParseOptions(max_bytes=1000))


def test_accepts_file_exactly_at_the_size_limit():
    data = b'{"text": "a"}\n' * 10
    assert len(_records(_parse(data, "ok.jsonl", ParseOptions(max_bytes=len(data))))) == 10


def test_rejects_unsupported_extension_naming_it():
    with pytest.raises(UnsupportedFormatError, match=r"'\.exe'"):
        parse_upload(io.BytesIO(b"MZ"), "tool.exe")


def test_rejects_file_with_no_records():
    with pytest.raises(EmptyFileError, match="no records"):
        _parse(b"text,label\n", "header-only.csv")


def test_rejects_empty_upload_for_every_text_format():
    for name in ("a.jsonl", "a.json", "a.csv", "a.txt"):
        with pytest.raises(EmptyFileError):
            _parse(b"", name)


def test_rejects_binary_garbage_named_jsonl():
    with pytest.raises(Exception, match=r"binary|NUL"):
        _parse(bytes(range(256)) * 4, "x.jsonl")


def test_upload_name_is_sanitised():
    upload = parse_upload(io.BytesIO(b"hello\n"), "../../etc/notes.txt")
    assert upload.filename == "notes.txt"
