import pytest

from tuneline.evaluation.runner.records import parse_records


def test_prompt_completion_and_messages_shapes_are_read():
    records = parse_records(
        [
            {"id": "a", "prompt": "Classify: oil leak", "completion": " leak ", "system": "Be brief."},
            {"input": "Summarise: x", "output": "y"},
            {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]},
            {"prompt": "p", "completion": "long text", "label": "mechanical"},
        ]
    )
    assert records[0].id == "a" and records[0].reference == "leak"
    assert records[0].messages[0] == {"role": "system", "content": "Be brief."}
    assert records[1].id == "1" and records[1].messages == [{"role": "user", "content": "Summarise: x"}]
    assert records[2].reference == "hello" and records[2].prompt_text == "hi"
    assert records[3].reference == "mechanical"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"prompt": "p"}, "record 0: missing field 'completion' or 'output'"),
        ({"prompt": "", "completion": "c"}, "record 0: field 'prompt' must be a non-empty string"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "record 0: field 'messages' needs an assistant"),
        ({"messages": [{"role": "bot", "content": "x"}]}, r"record 0: messages\[0\].role"),
        ("text", "record 0: expected a JSON object"),
    ],
)
def test_bad_record_names_record_and_field(row, message):
    with pytest.raises(ValueError, match=message):
        parse_records([row])


def test_empty_split_is_rejected():
    with pytest.raises(ValueError, match="held-out split is empty"):
        parse_records([])


def test_classification_records_use_the_shared_training_prompt():
    from tuneline.common.samples import classification_prompt

    records = parse_records([{"text": "oil on floor", "label": "leak"}, {"text": "fuse", "label": "electrical"}])
    assert records[0].messages == [
        {"role": "user", "content": classification_prompt("oil on floor", ["electrical", "leak"])}
    ]
    assert records[0].reference == "leak"
    shown = parse_records([{"text": "t", "label": "leak"}], labels=["leak", "wear"])
    assert "leak, wear" in shown[0].messages[0]["content"]
