from __future__ import annotations

from uuid import uuid4

from tuneline.intake.usecases.publishing import approved_event
from tuneline.intake.usecases.validation import validate_submission


def test_approval_event_carries_what_data_and_training_need(form_data):
    data = form_data(model_type="multi-modal", sensitivity={"pii": True, "regulatory": False, "proprietary": True})
    data["policy"] = {
        "auto_train": False,
        "training_preset": "Quality Focused",
        "human_review_required": True,
        "data_quality": {"min_quality_score": 75, "min_examples": 40, "max_duplicate_ratio": 0.1},
    }
    usecase_id = uuid4()
    event = approved_event(usecase_id, validate_submission(data), approved_by="rita", producer="intake")
    assert event.usecase_id == usecase_id and event.type == "usecase.approved"
    assert (event.task_type, event.model_type, event.method) == ("classification", "multi-modal", "lora")
    assert event.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert event.evaluation_metrics == ["Accuracy", "F1 Score"]
    assert event.kpi_targets == {"triage time": 2.0}
    assert (event.sensitivity.pii, event.sensitivity.regulatory, event.sensitivity.proprietary) == (True, False, True)
    assert event.policy.auto_train is False
    assert event.policy.training_preset == "quality_focused"
    assert event.policy.min_quality_score == 75
    assert (event.policy.min_examples, event.policy.max_duplicate_ratio) == (40, 0.1)
    assert event.policy.max_pii_ratio == 0.01  # the form's default travels too
    assert event.policy.redaction == "replace"  # PII and no explicit choice
    assert event.policy.human_review_required is True
    assert event.labels == ["hydraulics", "electrical", "calibration"]  # from the examples' outputs
    assert event.approved_by == "rita"


def test_declared_labels_and_redaction_win_over_derived_ones(form_data):
    data = form_data(labels=["a", "b"], policy={"redaction": "mask"})
    event = approved_event(uuid4(), validate_submission(data), approved_by="r", producer="intake")
    assert event.labels == ["a", "b"]
    assert event.policy.redaction == "mask"


def test_non_classification_has_no_derived_labels(form_data):
    event = approved_event(
        uuid4(), validate_submission(form_data(task_type="summarisation")), approved_by="r", producer="intake"
    )
    assert event.labels == []
    assert event.policy.redaction == "none"


def test_the_intake_form_defines_the_prompt_template_that_travels_with_the_approval(form_data):
    data = form_data(
        labels=["billing", "technical", "account", "shipping"],
        task_description="Route this customer-support ticket to the team that should handle it.",
        output_format="Reply with the team name only.",
        input_name="Ticket",
    )
    event = approved_event(uuid4(), validate_submission(data), approved_by="r", producer="intake")
    assert event.prompt_template is not None
    assert event.prompt_template.render("I was charged twice.") == (
        "Route this customer-support ticket to the team that should handle it. "
        "Answer with one of: billing, technical, account, shipping. Reply with the team name only."
        "\n\nTicket: I was charged twice."
    )


def test_without_a_task_description_the_problem_statement_is_the_instruction(form_data):
    data = form_data()
    event = approved_event(uuid4(), validate_submission(data), approved_by="r", producer="intake")
    assert event.prompt_template is not None
    assert event.prompt_template.instruction == data["problem_statement"]
    assert event.prompt_template.labels == event.labels and event.prompt_template.input_name == "Input"
