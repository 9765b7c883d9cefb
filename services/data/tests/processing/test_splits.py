import random

import numpy as np
import pytest

from tuneline.data.processing.dedup import exact_key
from tuneline.data.processing.splits import SplitSpec, plan_splits


def keys(n: int) -> list[int]:
    return [exact_key(f"record number {i}") for i in range(n)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80/20", {"train": 800, "validation": 200}),
        ("90/10", {"train": 900, "validation": 100}),
        ("95/5", {"train": 950, "validation": 50}),
        ("80/10/10", {"train": 800, "validation": 100, "test": 100}),
        ("70/15/15", {"train": 700, "validation": 150, "test": 150}),
    ],
)
def test_split_sizes_follow_the_ratios(text, expected):
    plan = plan_splits(keys(1000), SplitSpec.parse(text))
    assert plan.report.counts == expected


def test_bad_ratios_are_rejected_with_the_field():
    with pytest.raises(ValueError, match="ratios: '80/30' adds up to 110"):
        SplitSpec.parse("80/30")
    with pytest.raises(ValueError, match="ratios: give two or three splits"):
        SplitSpec.parse("100")
    with pytest.raises(ValueError, match="ratios"):
        SplitSpec.parse("eighty/twenty")


def test_same_input_and_seed_give_the_same_split_and_other_seeds_differ():
    k = keys(500)
    a = plan_splits(k, SplitSpec.parse("80/20", seed=1)).assignment
    b = plan_splits(k, SplitSpec.parse("80/20", seed=1)).assignment
    c = plan_splits(k, SplitSpec.parse("80/20", seed=2)).assignment
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_split_is_stable_under_record_order():
    k = keys(500)
    order = list(range(500))
    random.Random(3).shuffle(order)
    plan = plan_splits(k, SplitSpec.parse("80/20"))
    shuffled = plan_splits([k[i] for i in order], SplitSpec.parse("80/20"))
    for position, original in enumerate(order):
        assert shuffled.split_of(position) == plan.split_of(original)


def test_stratified_split_keeps_label_proportions():
    labels = ["a"] * 600 + ["b"] * 300 + ["c"] * 100
    plan = plan_splits(keys(1000), SplitSpec.parse("80/20", stratified=True), labels=labels)
    assert plan.report.label_counts == {
        "train": {"a": 480, "b": 240, "c": 80},
        "validation": {"a": 120, "b": 60, "c": 20},
    }


def test_stratified_needs_labels():
    with pytest.raises(ValueError, match="stratified"):
        plan_splits(keys(10), SplitSpec.parse("80/20", stratified=True))


def test_duplicates_are_kept_in_one_split_and_reported():
    n = 200
    duplicate_of = {i: i - 100 for i in range(100, 200)}  # every record in the second half repeats one in the first
    plan = plan_splits(keys(n), SplitSpec.parse("50/50"), duplicate_of=duplicate_of)
    for dup, first in duplicate_of.items():
        assert plan.assignment[dup] == plan.assignment[first]
    assert plan.report.leaking_pairs == 0
    assert plan.report.duplicate_groups == 100
    assert plan.report.counts["train"] + plan.report.counts["validation"] == n
    assert plan.report.counts["train"] % 2 == 0  # groups of two travel together


def test_chains_of_duplicates_form_one_group():
    plan = plan_splits(keys(10), SplitSpec.parse("50/50"), duplicate_of={1: 0, 2: 1, 3: 2})
    assert len({plan.split_of(i) for i in range(4)}) == 1
    assert plan.report.duplicate_groups == 1


def test_small_dataset_warns_about_an_empty_split():
    plan = plan_splits(keys(3), SplitSpec.parse("95/5"))
    assert plan.report.counts == {"train": 3, "validation": 0}
    assert plan.report.warnings == ["split 'validation' is empty"]
