from __future__ import annotations

import pytest

from tuneline.intake.form import DataSourceKind
from tuneline.intake.usecases.template import draft_from_payload, from_template, guess_source_kind
from tuneline.intake.usecases.validation import IntakeFormError, validate_submission

# The example from the architects' guide, verbatim.
ARCHITECTS_EXAMPLE = {
    "title": "Predictive Maintenance Alerts",
    "industry": "Manufacturing",
    "problem_statement": "Unexpected machinery downtime leads to productivity loss.",
    "data_sources": ["sensor logs", "maintenance reports"],
    "model": "LLaMA2-7B",
    "fine_tuning_type": "QLoRA",
    "evaluation_metrics": ["F1 Score", "Precision"],
    "expected_outcomes": "Reduce downtime by 25%",
}


def test_architects_template_example_maps_onto_a_draft():
    assert draft_from_payload(ARCHITECTS_EXAMPLE) == {
        "title": "Predictive Maintenance Alerts",
        "industry": "Manufacturing",
        "problem_statement": "Unexpected machinery downtime leads to productivity loss.",
        "data_sources": [
            {"name": "sensor logs", "kind": "sensor"},
            {"name": "maintenance reports", "kind": "human_reports"},
        ],
        "candidate_base_model": "LLaMA2-7B",
        "fine_tuning_method": "qlora",
        "evaluation_metrics": ["F1 Score", "Precision"],
        "expected_outcome": "Reduce downtime by 25%",
    }


def test_submitting_a_template_draft_names_what_the_template_lacks():
    with pytest.raises(IntakeFormError) as caught:
        validate_submission(draft_from_payload(ARCHITECTS_EXAMPLE))
    assert {p.field for p in caught.value.problems} == {
        "business_unit",
        "objectives",
        "data_sources[0].volume_estimate",
        "data_sources[0].owner",
        "data_sources[1].volume_estimate",
        "data_sources[1].owner",
        "sensitivity",
        "model_type",
        "task_type",
        "owner",
        "examples",
        "request_volume",
        "latency",
        "time_savings",
    }


def test_template_completed_with_form_fields_in_one_payload_is_submittable(form_data):
    base = form_data()
    extra = {k: base[k] for k in base if k not in ARCHITECTS_EXAMPLE and k not in ("candidate_base_model",)}
    extra.pop("fine_tuning_method")
    extra.pop("expected_outcome")
    payload = {**ARCHITECTS_EXAMPLE, **extra}
    payload["data_sources"] = ["sensor logs", {"name": "reports", "volume_estimate": 900, "owner": "maint"}]
    draft = draft_from_payload(payload)
    draft["data_sources"][0].update(volume_estimate=5000, owner="plant-it")
    form = validate_submission(draft)
    assert form.parameters == 7_000_000_000
    assert form.total_examples == 5900
    assert form.data_sources[0].kind is DataSourceKind.SENSOR


def test_unknown_fine_tuning_type_is_named_by_the_template_field():
    with pytest.raises(IntakeFormError) as caught:
        from_template({**ARCHITECTS_EXAMPLE, "fine_tuning_type": "prefix tuning"})
    assert [p.field for p in caught.value.problems] == ["fine_tuning_type"]


@pytest.mark.parametrize("spelling", ["Full", "full fine-tuning", "LORA", "q-lora"])
def test_common_spellings_of_the_method_are_understood(spelling):
    expected = {"Full": "full", "full fine-tuning": "full", "LORA": "lora", "q-lora": None}[spelling]
    if expected is None:
        with pytest.raises(IntakeFormError):
            from_template({**ARCHITECTS_EXAMPLE, "fine_tuning_type": spelling})
    else:
        assert from_template({**ARCHITECTS_EXAMPLE, "fine_tuning_type": spelling})["fine_tuning_method"] == expected


def test_key_that_is_neither_template_nor_form_is_named():
    with pytest.raises(IntakeFormError) as caught:
        from_template({**ARCHITECTS_EXAMPLE, "budget": 10})
    assert [p.field for p in caught.value.problems] == ["budget"]


def test_data_sources_must_be_a_list_of_names():
    with pytest.raises(IntakeFormError) as caught:
        from_template({**ARCHITECTS_EXAMPLE, "data_sources": "sensor logs"})
    assert [p.field for p in caught.value.problems] == ["data_sources"]
    with pytest.raises(IntakeFormError) as caught:
        from_template({**ARCHITECTS_EXAMPLE, "data_sources": ["ok", 3]})
    assert [p.field for p in caught.value.problems] == ["data_sources[1]"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("IoT telemetry", DataSourceKind.SENSOR),
        ("machine logs", DataSourceKind.LOGS),
        ("ServiceNow tickets", DataSourceKind.TICKETS),
        ("SAP export", DataSourceKind.ERP_EXPORT),
        ("operator notes", DataSourceKind.HUMAN_REPORTS),
        ("equipment manuals (PDF)", DataSourceKind.DOCUMENTS),
        ("tribal knowledge", DataSourceKind.OTHER),
    ],
)
def test_source_kind_is_guessed_from_its_name(name, kind):
    assert guess_source_kind(name) is kind


def test_template_key_and_its_form_equivalent_together_are_refused():
    with pytest.raises(IntakeFormError) as caught:
        from_template({**ARCHITECTS_EXAMPLE, "candidate_base_model": "Qwen2.5-0.5B"})
    assert [p.field for p in caught.value.problems] == ["model"]
