"""The one record reader: each shape, each rejection naming the line and the field, and prompt templates."""

import json
from pathlib import Path

import pytest

from tuneline.common.records import (
    ClassificationRecord,
    ConversationalRecord,
    InstructionRecord,
    PromptTemplate,
    RecordError,
    TextRecord,
    conversation,
    labels_of,
    read_file,
    read_jsonl,
)

TICKETS = PromptTemplate(
    instruction="Route this customer-support ticket to the team that handles it.",
    labels=["billing", "technical", "account", "shipping"],
    output_format="Reply with the team name only.",
    input_name="Ticket",
)


def _lines(*rows: object) -> list[str]:
    return [json.dumps(row) if not isinstance(row, str) else row for row in rows]


def test_classification_records_are_read_with_their_ids_and_stripped_labels() -> None:
    records = read_jsonl(_lines({"text": "refund?", "label": " billing "}, {"id": 7, "text": "t", "label": "x"}), "f")
    assert records == [ClassificationRecord("refund?", "billing"), ClassificationRecord("t", "x", id="7")]
    assert records[0].reference == "billing" and records[0].input_text == "refund?"
    assert labels_of(records) == ["billing", "x"]


def test_instruction_records_keep_their_prompt_whole() -> None:
    (record,) = read_jsonl(_lines({"prompt": "Summarise: a b", "completion": "a"}), "f")
    assert isinstance(record, InstructionRecord)
    assert record.prompt(TICKETS) == [{"role": "user", "content": "Summarise: a b"}]
    assert conversation(record, TICKETS)[-1] == {"role": "assistant", "content": "a"}


def test_conversational_record_prompt_is_everything_before_the_last_answer() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Q1"},
        {"role": "assistant", "content": "A1"},
        {"role": "user", "content": "Q2"},
        {"role": "assistant", "content": "A2"},
    ]
    (record,) = read_jsonl(_lines({"messages": messages}), "f")
    assert isinstance(record, ConversationalRecord)
    assert record.prompt(TICKETS) == messages[:4] and record.reference == "A2"
    assert conversation(record, TICKETS) == messages and record.input_text == "Q1\nQ2"


def test_text_records_read_with_source_and_page() -> None:
    (record,) = read_jsonl(_lines({"text": "manual page", "source": "m.pdf", "page": 3}), "f")
    assert record == TextRecord("manual page", "m.pdf", 3)


def test_blank_lines_are_skipped_and_line_numbers_still_count_them() -> None:
    with pytest.raises(RecordError, match="train line 3: field 'label' must be a non-empty string"):
        read_jsonl(["", json.dumps({"text": "a", "label": "b"}), json.dumps({"text": "a", "label": ""})], "train")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "a", "label": ', "f line 1: not valid JSON"),
        ("[1, 2]", "f line 1: expected a JSON object, got list"),
        ('{"input": "a", "output": "b"}', r"f line 1: unknown record shape with fields \['input', 'output'\]"),
        ('{"prompt": "a"}', "f line 1: field 'completion' is missing"),
        ('{"prompt": "a", "completion": 3}', "f line 1: field 'completion' must be a non-empty string"),
        ('{"prompt": "a", "completion": "b", "system": "s"}', "f line 1: unknown field 'system' in a instruction"),
        ('{"text": "a", "label": "b", "source": "x"}', "f line 1: unknown field 'source' in a classification"),
        ('{"text": "a", "label": "b", "id": [1]}', "f line 1: field 'id' must be a string or an integer"),
        ('{"messages": []}', "f line 1: field 'messages' must be a non-empty list"),
        ('{"messages": ["hi"]}', r"f line 1: messages\[0\] must be an object"),
        ('{"messages": [{"role": "bot", "content": "x"}]}', r"f line 1: messages\[0\].role must be one of"),
        ('{"messages": [{"role": "user", "content": 1}]}', r"f line 1: messages\[0\].content must be a string"),
        (
            '{"messages": [{"role": "user", "content": "a", "name": "x"}]}',
            r"f line 1: messages\[0\] has unknown field 'name'",
        ),
        ('{"messages": [{"role": "user", "content": "a"}]}', "f line 1: field 'messages' needs an assistant turn"),
        ('{"messages": [{"role": "assistant", "content": "a"}]}', "f line 1: field 'messages' needs an assistant"),
        ('{"text": "a", "page": "two"}', "f line 1: field 'page' must be an integer"),
        ("[" * 5000 + "]" * 5000, "f line 1: JSON nested too deeply"),
    ],
)
def test_each_broken_record_is_refused_naming_the_line_and_the_field(line: str, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        read_jsonl([line], "f")


def test_a_file_holds_one_shape() -> None:
    lines = _lines({"text": "a", "label": "b"}, {"prompt": "p", "completion": "c"})
    with pytest.raises(RecordError, match="f line 2: a instruction record in a file of classification records"):
        read_jsonl(lines, "f")
    with pytest.raises(RecordError, match="f line 1: a classification record in a file of conversational"):
        read_jsonl(lines[:1], "f", expected="conversational")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text("\n\n")
    with pytest.raises(RecordError, match="train_path: holds no records"):
        read_file(path, "train_path")
    with pytest.raises(FileNotFoundError, match=r"train_path: .* does not exist"):
        read_file(tmp_path / "missing.jsonl", "train_path")


def test_template_renders_instruction_labels_format_and_named_input() -> None:
    assert TICKETS.render("My parcel never arrived.") == (
        "Route this customer-support ticket to the team that handles it. "
        "Answer with one of: billing, technical, account, shipping. Reply with the team name only."
        "\n\nTicket: My parcel never arrived."
    )
    record = ClassificationRecord("My parcel never arrived.", "shipping")
    assert conversation(record, TICKETS) == [
        {"role": "user", "content": TICKETS.render("My parcel never arrived.")},
        {"role": "assistant", "content": "shipping"},
    ]


def test_template_finds_the_raw_input_in_a_rendered_prompt_and_leaves_other_prompts_whole() -> None:
    assert TICKETS.input_of(TICKETS.render("card declined")) == "card declined"
    assert TICKETS.input_of("card declined") == "card declined"


def test_template_labels_come_from_the_data_only_when_it_has_none() -> None:
    bare = TICKETS.model_copy(update={"labels": []})
    assert bare.with_labels(["a", "b"]).labels == ["a", "b"]
    assert TICKETS.with_labels(["a"]).labels == TICKETS.labels
    assert "maintenance" not in PromptTemplate.generic(["a"]).render("x")


def test_template_round_trips_through_json_and_refuses_unknown_fields() -> None:
    assert PromptTemplate.model_validate_json(TICKETS.model_dump_json()) == TICKETS
    with pytest.raises(ValueError, match="extra"):
        PromptTemplate.model_validate({"instruction": "x", "wording": "y"})
