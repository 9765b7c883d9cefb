import pytest

from tuneline.common.records import PromptTemplate
from tuneline.evaluation.runner.records import parse_records

TICKETS = PromptTemplate(
    instruction="Route this customer-support ticket to the team that handles it.", input_name="Ticket"
)


def test_prompt_completion_and_messages_shapes_are_read():
    prompts = parse_records(
        [{"id": "a", "prompt": "Classify: oil leak", "completion": " leak "}, {"prompt": "p", "completion": "c"}]
    )
    assert prompts[0].id == "a" and prompts[0].reference == "leak"
    assert prompts[1].id == "1" and prompts[1].messages == [{"role": "user", "content": "p"}]
    chats = parse_records(
        [
            {
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "hello"},
                ]
            }
        ]
    )
    assert chats[0].reference == "hello" and chats[0].prompt_text == "Be brief.\nhi"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"prompt": "p"}, "record 0: field 'completion' is missing"),
        ({"prompt": "", "completion": "c"}, "record 0: field 'prompt' must be a non-empty string"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "record 0: field 'messages' needs an assistant"),
        ({"messages": [{"role": "bot", "content": "x"}]}, r"record 0: messages\[0\].role"),
        ({"input": "Summarise: x", "output": "y"}, r"record 0: unknown record shape with fields \['input', 'output'\]"),
        ({"prompt": "p", "completion": "c", "system": "s"}, "record 0: unknown field 'system' in a instruction record"),
        ("text", "record 0: expected a JSON object"),
    ],
)
def test_bad_record_names_record_and_field(row, message):
    with pytest.raises(ValueError, match=message):
        parse_records([row])


def test_empty_split_is_rejected():
    with pytest.raises(ValueError, match="held-out split is empty"):
        parse_records([])


def test_classification_records_are_put_in_the_use_case_template_with_its_labels():
    rows = [{"text": "card declined", "label": "billing"}, {"text": "app crashes", "label": "technical"}]
    records = parse_records(rows, template=TICKETS)
    assert records[0].messages == [
        {"role": "user", "content": TICKETS.with_labels(["billing", "technical"]).render("card declined")}
    ]
    assert records[0].reference == "billing"
    shown = parse_records(rows[:1], labels=["billing", "shipping"], template=TICKETS)
    assert "Answer with one of: billing, shipping." in shown[0].messages[0]["content"]
    assert shown[0].messages[0]["content"].startswith(TICKETS.instruction)


def test_without_a_template_the_wording_is_neutral_not_the_demo_domain():
    records = parse_records([{"text": "card declined", "label": "billing"}])
    assert "maintenance" not in records[0].messages[0]["content"]
    assert records[0].messages[0]["content"].startswith("Classify the following text.")
