"""GET /presets serves the ranges the service enforces: what it says is allowed is accepted, and nothing more."""

import pytest
from pydantic import ValidationError

from tuneline.training.estimate.api import describe_presets
from tuneline.training.estimate.hyperparameters import Hyperparameters
from tuneline.training.estimate.presets import Preset, preset_hyperparameters

SMALL = {"model_params": 135_000_000}
LARGE = {"model_params": 7_000_000_000}


def _valid(name: str, value: object, context: dict[str, int] | None = None) -> bool:
    try:
        Hyperparameters.model_validate({name: value}, context=context)
    except ValidationError:
        return False
    return True


def test_every_hyperparameter_is_described_with_its_title_and_type() -> None:
    specs = {spec.name: spec for spec in describe_presets().hyperparameters}
    assert list(specs) == list(Hyperparameters.model_fields)
    assert specs["epochs"].title == "Epochs" and specs["epochs"].type == "integer"
    assert specs["learning_rate"].type == "number" and specs["target_modules"].type == "modules"
    assert specs["target_modules"].minimum is None and specs["target_modules"].maximum is None
    assert all(spec.description for spec in specs.values())


@pytest.mark.parametrize("spec", [s for s in describe_presets().hyperparameters if s.minimum is not None])
def test_each_served_range_is_exactly_the_enforced_one(spec) -> None:  # type: ignore[no-untyped-def]
    assert spec.maximum is not None
    low = spec.minimum_small_model if spec.minimum_small_model is not None else spec.minimum
    context = SMALL if spec.minimum_small_model is not None else None
    # an integer field's neighbour outside is one away; a float's a hair away
    outside = 1 if spec.type == "integer" else max(abs(spec.maximum) * 1e-6, 1e-9)
    cast = int if spec.type == "integer" else float
    assert _valid(spec.name, cast(low), context) and _valid(spec.name, cast(spec.maximum), context)
    assert not _valid(spec.name, cast(low - outside), context)
    assert not _valid(spec.name, cast(spec.maximum + outside), context)


def test_short_sequences_are_served_as_the_small_model_minimum() -> None:
    (spec,) = [s for s in describe_presets().hyperparameters if s.name == "max_seq_len"]
    assert spec.minimum_small_model is not None and spec.minimum is not None
    assert spec.minimum_small_model < spec.minimum
    assert _valid("max_seq_len", int(spec.minimum_small_model), SMALL)
    assert not _valid("max_seq_len", int(spec.minimum_small_model), LARGE)


def test_auto_is_described_exactly_where_the_field_accepts_it() -> None:
    for spec in describe_presets().hyperparameters:
        assert (spec.auto is not None) == _valid(spec.name, "auto"), spec.name


def test_presets_are_served_with_the_values_a_job_starts_from() -> None:
    answer = describe_presets()
    assert [p.name for p in answer.presets] == list(Preset)
    assert answer.default_preset in {p.name for p in answer.presets}
    for preset in answer.presets:
        assert preset.hyperparameters == preset_hyperparameters(preset.name).model_dump()
        assert preset.values.items() <= preset.hyperparameters.items()
        assert preset.title and preset.purpose
    cost = next(p for p in answer.presets if p.name == Preset.COST_OPTIMIZED)
    assert cost.method == "qlora" and cost.values["batch_size"] == 16
