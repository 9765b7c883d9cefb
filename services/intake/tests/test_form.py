from __future__ import annotations

import pytest

from tuneline.intake.form import (
    FineTuningMethod,
    KpiDirection,
    ModelType,
    TaskType,
    parameters_from_model_name,
)
from tuneline.intake.usecases.validation import IntakeFormError, validate_draft, validate_submission


def fields_of(error: IntakeFormError) -> set[str]:
    return {p.field for p in error.problems}


def test_complete_form_validates_and_normalises_spellings(form_data):
    form = validate_submission(form_data(model_type="Multi-Modal", task_type="Summarization"))
    assert form.model_type is ModelType.MULTI_MODAL
    assert form.task_type is TaskType.SUMMARISATION
    assert form.fine_tuning_method is FineTuningMethod.LORA  # given as "LoRA"
    assert form.objectives[0].kpis[0].direction is KpiDirection.DECREASE
    assert form.total_examples == 4000


def test_submission_names_every_missing_field_at_once(form_data):
    with pytest.raises(IntakeFormError) as caught:
        validate_submission(form_data(owner=None, latency=None, task_type=None))
    assert fields_of(caught.value) == {"owner", "latency", "task_type"}


def test_nested_bad_values_are_named_by_their_path(form_data):
    data = form_data()
    data["objectives"][0]["kpis"][0]["target"] = "soon"
    data["examples"][1]["desired_output"] = ""
    data["data_sources"][0]["volume_estimate"] = -5
    with pytest.raises(IntakeFormError) as caught:
        validate_submission(data)
    assert fields_of(caught.value) == {
        "objectives[0].kpis[0].target",
        "examples[1].desired_output",
        "data_sources[0].volume_estimate",
    }
    assert "examples[1].desired_output:" in str(caught.value)


@pytest.mark.parametrize("count", [2, 6])
def test_rejects_fewer_than_three_or_more_than_five_examples(form_data, count):
    pair = {"input": "some input", "desired_output": "some output"}
    with pytest.raises(IntakeFormError) as caught:
        validate_submission(form_data(examples=[pair] * count))
    assert fields_of(caught.value) == {"examples"}


def test_kpi_target_must_improve_on_baseline_in_the_stated_direction(form_data):
    data = form_data()
    data["objectives"][0]["kpis"][0].update(baseline=10, target=12, direction="decrease")
    with pytest.raises(IntakeFormError) as caught:
        validate_submission(data)
    assert fields_of(caught.value) == {"objectives[0].kpis[0]"}
    assert "below baseline" in str(caught.value)


def test_base_model_size_is_read_from_its_name(form_data):
    assert validate_submission(form_data()).parameters == 135_000_000


def test_model_name_without_size_requires_base_model_parameters(form_data):
    with pytest.raises(IntakeFormError) as caught:
        validate_submission(form_data(candidate_base_model="/models/our-house-model"))
    assert fields_of(caught.value) == {"base_model_parameters"}
    given = validate_submission(form_data(candidate_base_model="/models/our-house-model", base_model_parameters=3e9))
    assert given.parameters == 3_000_000_000


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("LLaMA2-7B", 7_000_000_000),
        ("HuggingFaceTB/SmolLM2-135M-Instruct", 135_000_000),
        ("Qwen/Qwen2.5-0.5B-Instruct", 500_000_000),
        ("meta-llama/Llama-3.1-8B", 8_000_000_000),
        ("mistralai/Mixtral-8x7B-v0.1", 56_000_000_000),
        ("gpt2", None),
    ],
)
def test_parameters_from_model_name(name, expected):
    assert parameters_from_model_name(name) == expected


def test_regulations_listed_require_the_regulatory_flag(form_data):
    sensitivity = {"pii": True, "regulatory": False, "proprietary": False, "regulations": ["GDPR"]}
    with pytest.raises(IntakeFormError) as caught:
        validate_submission(form_data(sensitivity=sensitivity))
    assert fields_of(caught.value) == {"sensitivity"}


def test_unknown_field_is_rejected_by_name(form_data):
    with pytest.raises(IntakeFormError) as caught:
        validate_submission(form_data(budget_code="X1"))
    assert fields_of(caught.value) == {"budget_code"}


def test_draft_accepts_missing_fields_but_not_invalid_ones():
    assert validate_draft({"title": "Summarise quality issues"}) == {"title": "Summarise quality issues"}
    with pytest.raises(IntakeFormError) as caught:
        validate_draft({"title": "Summarise quality issues", "model_type": "audio", "data_sources": [{"name": ""}]})
    assert fields_of(caught.value) == {"model_type", "data_sources[0].name"}


def test_draft_may_have_fewer_examples_than_a_submission_needs(form_data):
    pair = {"input": "in", "desired_output": "out"}
    assert validate_draft({"title": "Draft", "examples": [pair]})["examples"] == [pair]
    with pytest.raises(IntakeFormError):
        validate_submission(form_data(examples=[pair]))


def test_payload_that_is_not_an_object_is_refused():
    with pytest.raises(IntakeFormError) as caught:
        validate_draft(["title"])
    assert fields_of(caught.value) == {"(form)"}
