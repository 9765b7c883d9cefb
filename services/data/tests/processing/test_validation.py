import io
import json

import pytest

from tuneline.data.processing.errors import Location, RecordIssue
from tuneline.data.processing.pipeline import ingest
from tuneline.data.processing.records import RecordMode
from tuneline.data.processing.validation import DatasetValidator, ValidationConfig
from tuneline.data.processing.writer import content_hash, read_jsonl

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november".split()  # noqa: SIM905


def sentence(i: int, n: int = 12) -> str:
    # distinct word sets per i so records are not near-duplicates of each other
    return " ".join(f"{WORDS[(i + k) % len(WORDS)]}{i}" for k in range(n))


def test_counts_token_lengths_against_bounds():
    validator = DatasetValidator(
        RecordMode.CLASSIFICATION, ValidationConfig(min_tokens=3, max_tokens=5), token_counter=lambda t: len(t.split())
    )
    for i, text in enumerate(["a b", "a b c", "a b c d e", "a b c d e f g"]):
        validator.add_record({"text": text, "label": "x"}, Location(line=i + 1))
    tokens = validator.report().tokens
    assert (tokens.min, tokens.max, tokens.total, tokens.below_min, tokens.above_max) == (2, 7, 17, 1, 1)
    assert tokens.examples == ["line 1", "line 4"]
    assert tokens.p50 == 5  # sorted 2,3,5,7 → index round(1.5)=2


def test_instruction_tokens_add_prompt_and_completion():
    validator = DatasetValidator(RecordMode.INSTRUCTION, token_counter=lambda t: len(t.split()))
    validator.add_record({"prompt": "one two", "completion": "three"}, Location(line=1))
    assert validator.report().tokens.total == 3


def test_completeness_counts_empty_fields_per_field():
    validator = DatasetValidator(RecordMode.INSTRUCTION)
    validator.add_record({"prompt": " ", "completion": "x"}, Location(line=1))
    validator.add_record({"prompt": "", "completion": ""}, Location(line=2))
    validator.add_record({"prompt": "p", "completion": "c"}, Location(line=3))
    section = validator.report().completeness
    assert section.incomplete_records == 2
    assert section.empty_by_field == {"prompt": 2, "completion": 1}
    assert section.examples == ["line 1: empty prompt", "line 2: empty prompt, completion"]


def test_class_balance_reports_counts_and_ratio():
    validator = DatasetValidator(RecordMode.CLASSIFICATION)
    for i, label in enumerate(["pos"] * 6 + ["neg"] * 2 + ["neu"] * 3):
        validator.add_record({"text": sentence(i), "label": label}, Location(line=i + 1))
    balance = validator.report().balance
    assert balance.counts == {"neg": 2, "neu": 3, "pos": 6}
    assert balance.imbalance_ratio == 3.0
    assert (balance.majority_label, balance.minority_label) == ("pos", "neg")


def test_exact_duplicates_ignore_case_and_whitespace():
    validator = DatasetValidator(RecordMode.TEXT)
    for i, text in enumerate([sentence(1), sentence(2), "  " + sentence(1).upper() + " "]):
        validator.add_record({"text": text, "source": None, "page": None}, Location(line=i + 1))
    report = validator.report()
    assert report.duplicates.exact_count == 1 and report.duplicates.near_count == 0
    assert report.duplicates.examples[0].model_dump() == {
        "location": "line 3",
        "duplicate_of": "line 1",
        "kind": "exact",
    }
    assert validator.duplicate_of == {2: 0}


def test_near_duplicates_above_threshold_are_found_and_below_are_not():
    base = [f"token{k}" for k in range(60)]
    near = base.copy()
    near[-1] = "changed"  # 57 of 59 distinct shingles shared → Jaccard 0.966
    far = base[:30] + [f"other{k}" for k in range(30)]  # Jaccard ≈ 0.3
    validator = DatasetValidator(RecordMode.TEXT, ValidationConfig(near_duplicate_threshold=0.9))
    for i, words in enumerate([base, near, far]):
        validator.add_record({"text": " ".join(words), "source": None, "page": None}, Location(line=i + 1))
    report = validator.report()
    assert report.duplicates.near_count == 1
    assert validator.duplicate_of == {1: 0}


def test_near_duplicate_search_stops_at_its_cap_and_says_so():
    validator = DatasetValidator(RecordMode.TEXT, ValidationConfig(near_duplicate_max_records=2))
    for i in range(4):
        validator.add_record({"text": sentence(i), "source": None, "page": None}, Location(line=i + 1))
    duplicates = validator.report().duplicates
    assert duplicates.near_checked_records == 2 and duplicates.near_truncated is True


def test_format_errors_show_first_n_and_count_all():
    validator = DatasetValidator(RecordMode.TEXT, ValidationConfig(max_examples=2))
    for line in range(5):
        validator.add_issue(RecordIssue(Location(line=line + 1), "invalid_json", "bad"))
    section = validator.report().format
    assert section.error_count == 5
    assert [e.location for e in section.errors] == ["line 1", "line 2"]


def test_toxicity_and_language_sections():
    validator = DatasetValidator(RecordMode.TEXT, ValidationConfig(expected_language="en"))
    texts = [
        "You are an idiot and this is the worst",
        "The pump is fine and it was checked",
        "Die Pumpe ist nicht in Ordnung und wir sind da",
    ]
    for i, text in enumerate(texts):
        validator.add_record({"text": text, "source": None, "page": None}, Location(line=i + 1))
    report = validator.report()
    assert report.toxicity.flagged_records == 1 and report.toxicity.examples == ["line 1"]
    assert report.language.distribution == {"en": 2, "de": 1}
    assert report.language.off_language_records == 1


def test_quality_score_reflects_the_components():
    validator = DatasetValidator(
        RecordMode.CLASSIFICATION, ValidationConfig(min_tokens=1), token_counter=lambda t: len(t.split())
    )
    for i in range(4):
        validator.add_record(
            {"text": f"the pump {sentence(i)} is fine and it works", "label": "a" if i % 2 else "b"},
            Location(line=i + 1),
        )
    validator.add_issue(RecordIssue(Location(line=9), "invalid_json", "bad"))
    quality = validator.report().quality
    # Everything perfect except validity 4/5 → loses 0.2 × 25 points.
    assert quality.score == 95.0
    assert quality.breakdown["validity"].value == 0.8


def test_reports_never_contain_record_content():
    validator = DatasetValidator(RecordMode.TEXT)
    secret = "john.doe@example.com idiot"
    validator.add_record({"text": secret, "source": None, "page": None}, Location(line=1))
    validator.add_record({"text": secret, "source": None, "page": None}, Location(line=2))
    assert "john.doe" not in validator.report().model_dump_json()


def test_token_bounds_are_validated():
    with pytest.raises(ValueError, match="token bounds"):
        ValidationConfig(min_tokens=10, max_tokens=5)


def test_ingest_writes_valid_records_and_hashes_them():
    lines = [json.dumps({"question": sentence(i), "answer": sentence(i + 100)}) for i in range(5)] + ["{oops"]
    sink = io.BytesIO()
    result = ingest(io.BytesIO("\n".join(lines).encode()), "qa.jsonl", sink=sink)
    assert result.mode is RecordMode.INSTRUCTION and result.record_count == 5
    assert result.report.format.error_count == 1 and result.report.format.errors[0].location == "line 6"
    sink.seek(0)
    stored = list(read_jsonl(sink))
    assert stored[0] == {"prompt": sentence(0), "completion": sentence(100)}
    assert result.content_hash == content_hash(stored)


def test_ingest_counts_encoding_warnings():
    data = b"text,label\n" + "café,a\n".encode() + "caf\xe9,b\n".encode("cp1252")
    result = ingest(io.BytesIO(data), "c.csv")
    assert result.encoding == "utf-8"
    assert result.report.format.warning_count == 1
    assert result.report.format.warnings[0].code == "mixed_encoding"


def test_single_class_dataset_gets_no_balance_points():
    validator = DatasetValidator(RecordMode.CLASSIFICATION)
    for i in range(4):
        validator.add_record({"text": sentence(i), "label": "only"}, Location(line=i + 1))
    assert validator.report().quality.breakdown["balance"].value == 0.0


def test_ingest_without_record_validation_still_collects_parse_issues():
    data = b'{"text": "a b c", "label": "x"}\n{bad\n{"text": "d e f", "label": "y"}\n'
    result = ingest(io.BytesIO(data), "d.jsonl", validate_records=False)
    assert result.record_count == 2
    assert result.report.format.error_count == 1 and result.report.valid_records == 0
