"""What a study may search: ranges and choices held to the preset ranges, each refusal naming its field."""

import pytest

from tuneline.common.errors import InvalidInput
from tuneline.training.studies.search import SearchRange, corner_points, dimensions


def space(**ranges: dict) -> dict[str, SearchRange]:
    return {name: SearchRange.model_validate(r) for name, r in ranges.items()}


def test_learning_rate_is_searched_on_a_log_scale_unless_told_otherwise() -> None:
    (lr,) = dimensions(space(learning_rate={"low": 1e-5, "high": 1e-3}), {})
    assert (lr.kind, lr.low, lr.high, lr.log) == ("float", 1e-5, 1e-3, True)
    (lr,) = dimensions(space(learning_rate={"low": 1e-5, "high": 1e-3, "log": False}), {})
    assert lr.log is False


def test_integer_choices_stay_integers_and_repeats_collapse() -> None:
    (rank,) = dimensions(space(lora_rank={"choices": [8, 16, 16, 32]}), {})
    assert rank.choices == (8, 16, 32) and all(isinstance(v, int) for v in rank.choices)


@pytest.mark.parametrize(
    ("ranges", "fixed", "field", "words"),
    [
        (
            {"learning_rate": {"low": 1e-5, "high": 5e-3}},
            {},
            "search_space.learning_rate.high",
            "within 1e-05 and 0.001",
        ),
        ({"lora_rank": {"low": 2, "high": 16}}, {}, "search_space.lora_rank.low", "within 4 and 64"),
        ({"epochs": {"low": 1, "high": 2.5}}, {}, "search_space.epochs.high", "whole numbers"),
        ({"general_replay": {"low": 0.5, "high": 0.5}}, {}, "search_space.general_replay.high", "must be below"),
        ({"general_replay": {"low": 0, "high": 0.5, "log": True}}, {}, "search_space.general_replay.low", "low > 0"),
        (
            {"learning_rate": {"low": 1e-5, "high": 1e-3, "step": 1e-5}},
            {},
            "search_space.learning_rate.step",
            "no step",
        ),
        ({"lora_alpha": {"low": 8, "high": 64, "step": 2.5}}, {}, "search_space.lora_alpha.step", "whole number"),
        ({"lora_alpha": {"choices": [16]}}, {}, "search_space.lora_alpha.choices", "two different"),
        ({"lora_alpha": {"choices": [16, 512]}}, {}, "search_space.lora_alpha.choices", "within 1 and 256"),
        ({"lora_rank": {"choices": [8, 16], "low": 8}}, {}, "search_space.lora_rank", "not both"),
        ({"lora_rank": {"high": 16}}, {}, "search_space.lora_rank.low", "give low and high"),
        ({"batch_size": {"low": 2, "high": 8}}, {}, "search_space.batch_size", "cannot be searched"),
        ({"epochs": {"low": 1, "high": 3}}, {"epochs": 2}, "hyperparameters.epochs", "leave it out"),
        ({}, {}, "search_space", "at least one"),
    ],
)
def test_refuses_a_search_the_jobs_would_refuse_naming_the_field(
    ranges: dict, fixed: dict, field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        dimensions(space(**ranges), fixed)
    assert info.value.field == field
    assert words in info.value.message


def test_corner_points_are_every_combination_of_the_extremes() -> None:
    dims = dimensions(space(learning_rate={"low": 1e-4, "high": 1e-3}, lora_rank={"choices": [16, 8, 32]}), {})
    corners = corner_points(dims)
    assert len(corners) == 4
    assert {(c["learning_rate"], c["lora_rank"]) for c in corners} == {(1e-4, 8), (1e-4, 32), (1e-3, 8), (1e-3, 32)}
    assert all(isinstance(c["lora_rank"], int) for c in corners)
