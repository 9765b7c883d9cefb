import pytest

from tuneline.evaluation.gate.suite import (
    SuiteItem,
    is_correct,
    load_general_texts,
    load_instruction_suite,
    parse_suite_item,
    score_suite,
)


def test_shipped_suite_covers_four_categories_with_unique_ids():
    items = load_instruction_suite()
    assert 30 <= len(items) <= 60
    assert {i.category for i in items} == {"arithmetic", "facts", "rewriting", "formatting"}
    assert len({i.id for i in items}) == len(items)


def test_shipped_general_texts_are_varied_paragraphs():
    texts = load_general_texts()
    assert len(texts) >= 24
    assert len({t.topic for t in texts}) == len(texts)
    assert all(len(t.text.split()) >= 30 for t in texts)


def _item(match, reference, prompt="What is 7 + 5?"):
    return SuiteItem("x", "c", prompt, reference, match)


@pytest.mark.parametrize(
    ("item", "answer", "expected"),
    [
        (_item("number", "12"), "7 + 5 = 12.", True),
        (_item("number", "12"), "The answer is 13, not 12", False),
        (_item("contains", "carbon dioxide"), "Plants take in Carbon Dioxide.", True),
        (_item("contains", "cat"), "category", False),
        (_item("contains_cased", "HELLO"), "hello", False),
        (_item("contains_cased", "HELLO"), "HELLO.", True),
        (_item("regex", r"1\s*,\s*2\s*,\s*3"), "1, 2, 3", True),
        (_item("json", '{"name": "Ada"}'), 'Here: {"name": "Ada", "age": 36}', True),
        (_item("json", '{"name": "Ada"}'), '{"name": "Bob"}', False),
    ],
)
def test_answers_are_checked_by_their_match_kind(item, answer, expected):
    assert is_correct(answer, item) is expected


def test_suite_score_is_share_correct_overall_and_per_category():
    items = [
        SuiteItem("a", "arithmetic", "What is 1 + 1?", "2", "number"),
        SuiteItem("b", "arithmetic", "What is 2 + 2?", "4", "number"),
        SuiteItem("c", "facts", "Capital of France?", "Paris", "contains"),
    ]
    score = score_suite(items, ["2", "5", "Paris"])
    assert score.score == pytest.approx(2 / 3)
    assert score.per_category == {"arithmetic": 0.5, "facts": 1.0}
    assert score.correct == {"a": True, "b": False, "c": True}


def test_bad_suite_row_names_the_field():
    with pytest.raises(ValueError, match="line 3: field 'match'"):
        parse_suite_item({"id": "x", "category": "c", "prompt": "p", "reference": "r", "match": "fuzzy"}, "line 3")
