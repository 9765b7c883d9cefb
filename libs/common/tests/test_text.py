"""Text PostgreSQL refuses is stripped and counted by reason, at any nesting depth."""

from collections import Counter

from pydantic import BaseModel

from tuneline.common.text import TEXT_SANITISED, clean_model, clean_text, clean_value


def test_clean_text_strips_nul_and_lone_surrogates_and_keeps_real_characters():
    tally: Counter[str] = Counter()
    assert clean_text("a\x00b\ud800c\udfffd 🙂 é", tally) == "abcd 🙂 é"
    assert tally == {"nul": 1, "lone_surrogate": 2}
    assert clean_text("clean") == "clean"


def test_clean_value_cleans_keys_values_and_lists_5000_levels_deep_without_recursion():
    deep: object = "x\x00"
    for _ in range(5000):
        deep = [deep]
    tally: Counter[str] = Counter()
    cleaned = clean_value({"k\x00": deep, "n": 3, "ok": None}, tally)
    assert set(cleaned) == {"k", "n", "ok"} and cleaned["n"] == 3
    inner = cleaned["k"]
    for _ in range(5000):
        inner = inner[0]
    assert inner == "x" and tally == {"nul": 2}


class _Event(BaseModel):
    prompt: str | None
    tokens: int
    tags: list[str]


def test_clean_model_returns_a_cleaned_copy_and_counts_under_its_source():
    counter = TEXT_SANITISED.labels("test.source", "nul")
    before = counter._value.get()
    event = _Event(prompt="hi\x00", tokens=3, tags=["a\x00"])
    cleaned = clean_model(event, "test.source")
    assert cleaned == _Event(prompt="hi", tokens=3, tags=["a"]) and event.prompt == "hi\x00"
    assert counter._value.get() - before == 2
    untouched = _Event(prompt=None, tokens=1, tags=[])
    assert clean_model(untouched, "test.source") is untouched
