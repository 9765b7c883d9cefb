import pytest

from tuneline.data.processing.errors import Location, RecordIssue
from tuneline.data.processing.normalise import NormalisedRecord, Normaliser, detect_mode
from tuneline.data.processing.parsers.base import RawRecord
from tuneline.data.processing.records import RecordMode


def raw(fields: dict, line: int = 1) -> RawRecord:
    return RawRecord(fields, Location(line=line))


@pytest.mark.parametrize(
    ("keys", "mode"),
    [
        ({"prompt", "completion"}, RecordMode.INSTRUCTION),
        ({"question", "answer"}, RecordMode.INSTRUCTION),
        ({"instruction", "output"}, RecordMode.INSTRUCTION),
        ({"messages"}, RecordMode.CONVERSATIONAL),
        ({"text", "label"}, RecordMode.CLASSIFICATION),
        ({"Text", "Category"}, RecordMode.CLASSIFICATION),
        ({"text"}, RecordMode.TEXT),
    ],
)
def test_detects_mode_from_field_names(keys, mode):
    assert detect_mode([keys]) is mode


def test_detection_fails_with_a_clear_message():
    with pytest.raises(ValueError, match="cannot detect the record format"):
        detect_mode([{"foo", "bar"}])


def test_mapping_renames_source_fields():
    normaliser = Normaliser(mapping={"prompt": "q", "completion": "a"})
    out = list(normaliser.run([raw({"q": "Why?", "a": "Because.", "extra": 1})]))
    assert normaliser.mode is RecordMode.INSTRUCTION
    assert out == [NormalisedRecord({"prompt": "Why?", "completion": "Because."}, Location(line=1))]


def test_mapping_key_must_be_a_canonical_field():
    with pytest.raises(ValueError, match="mapping key 'question' is not a instruction field"):
        Normaliser(RecordMode.INSTRUCTION, mapping={"question": "q"})


def test_missing_field_is_reported_with_line_and_field():
    normaliser = Normaliser(RecordMode.INSTRUCTION)
    issue = normaliser.convert(raw({"prompt": "only"}, line=7))
    assert isinstance(issue, RecordIssue)
    assert issue.describe() == "line 7, field 'completion': required field is missing"


def test_wrong_type_names_the_source_field():
    issue = Normaliser(RecordMode.CLASSIFICATION).convert(raw({"text": ["a"], "label": "x"}, line=3))
    assert isinstance(issue, RecordIssue) and issue.field == "text" and issue.code == "wrong_type"


def test_numeric_and_boolean_labels_become_strings():
    normaliser = Normaliser(RecordMode.CLASSIFICATION)
    assert normaliser.convert(raw({"text": "a", "label": 3})).record == {"text": "a", "label": "3"}
    assert normaliser.convert(raw({"text": "a", "label": True})).record == {"text": "a", "label": "true"}


def test_empty_values_are_kept_for_the_completeness_check():
    out = Normaliser(RecordMode.INSTRUCTION).convert(raw({"prompt": "", "completion": None}))
    assert isinstance(out, NormalisedRecord) and out.record == {"prompt": "", "completion": ""}


def test_conversation_roles_are_normalised_and_checked():
    normaliser = Normaliser(RecordMode.CONVERSATIONAL)
    ok = normaliser.convert(
        raw({"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]})
    )
    assert ok.record == {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    bad = normaliser.convert(
        raw({"messages": [{"role": "user", "content": "x"}, {"role": "robot", "content": "y"}]}, 4)
    )
    assert isinstance(bad, RecordIssue) and bad.field == "messages[1].role" and bad.location.line == 4


def test_conversation_needs_user_and_assistant():
    issue = Normaliser(RecordMode.CONVERSATIONAL).convert(raw({"messages": [{"role": "user", "content": "x"}]}))
    assert isinstance(issue, RecordIssue) and issue.code == "incomplete_conversation"


def test_text_mode_fills_source_and_page():
    normaliser = Normaliser(RecordMode.TEXT, default_source="notes.txt")
    assert normaliser.convert(raw({"text": "hello"})).record == {"text": "hello", "source": "notes.txt", "page": None}


def test_issues_pass_through_in_order():
    issue = RecordIssue(Location(line=2), "invalid_json", "bad")
    out = list(Normaliser().run([raw({"text": "a", "label": "x"}), issue, raw({"text": "b"}, 3)]))
    assert out[1] is issue
    assert isinstance(out[2], RecordIssue) and out[2].field == "label"
