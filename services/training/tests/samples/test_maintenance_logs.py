import re
from collections import Counter

import pytest

from tuneline.common.samples import (
    MAINTENANCE_LABELS,
    classification_prompt,
    maintenance_classification,
    quality_summaries,
    quality_summary_conversations,
)


def test_same_seed_gives_same_records_and_another_seed_different_ones() -> None:
    assert maintenance_classification(50, seed=3) == maintenance_classification(50, seed=3)
    assert maintenance_classification(50, seed=3) != maintenance_classification(50, seed=4)
    assert quality_summaries(10, seed=3) == quality_summaries(10, seed=3)


def test_classification_records_have_canonical_shape_and_balanced_labels() -> None:
    records = maintenance_classification(700, seed=0)
    assert all(set(r) == {"text", "label"} for r in records)
    counts = Counter(r["label"] for r in records)
    assert set(counts) == set(MAINTENANCE_LABELS)
    assert set(counts.values()) == {100}


def test_classification_texts_are_varied() -> None:
    texts = [r["text"] for r in maintenance_classification(500, seed=0)]
    assert len(set(texts)) >= 495
    # several surface forms: work orders, shift notes, downtime reports
    assert any(t.lower().startswith("wo-") for t in texts)
    assert any("shift note" in t.lower() for t in texts)
    assert any("cause:" in t.lower() for t in texts)


def test_some_entries_mention_another_subsystem_that_was_fine() -> None:
    texts = [r["text"].lower() for r in maintenance_classification(400, seed=0)]
    ok_remarks = ("checked ok", "no oil leaks", "wiring checked", "breaker ok", "lube level ok", "encoder ok")
    ambiguous = sum(any(remark in t for remark in ok_remarks) for t in texts)
    assert 20 <= ambiguous <= 160


def test_summary_total_equals_the_scrap_counted_in_the_log() -> None:
    for record in quality_summaries(40, seed=5):
        scrapped = [int(n) for n in re.findall(r"(\d+) parts scrapped", record["prompt"])]
        total = int(re.search(r"Total scrap (\d+) parts", record["completion"]).group(1))
        assert total == sum(scrapped)
        assert f"{len(scrapped)} quality issue" in record["completion"]


def test_conversations_end_with_assistant_and_follow_up_names_the_biggest_scrap() -> None:
    records = quality_summary_conversations(6, seed=2)
    assert [len(r["messages"]) for r in records] == [3, 5, 3, 5, 3, 5]
    for record in records:
        roles = [m["role"] for m in record["messages"]]
        assert roles[:3] == ["system", "user", "assistant"]
        assert roles[-1] == "assistant"
        if len(roles) == 5:
            counts = [int(n) for n in re.findall(r"(\d+) parts scrapped", record["messages"][1]["content"])]
            assert record["messages"][4]["content"].endswith(f": {max(counts)} parts.")


def test_classification_prompt_lists_the_labels_and_the_entry() -> None:
    prompt = classification_prompt("PRESS-01 oil leak", ["hydraulic", "electrical"])
    assert "one of: hydraulic, electrical." in prompt
    assert prompt.endswith("Entry: PRESS-01 oil leak")


@pytest.mark.parametrize("generator", [maintenance_classification, quality_summaries, quality_summary_conversations])
def test_rejects_non_positive_sizes(generator) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="n must be >= 1"):
        generator(0)
