from __future__ import annotations

from tuneline.intake.costing.estimate import estimate_costs
from tuneline.intake.qualification.decision import Approach, decide
from tuneline.intake.usecases.validation import validate_submission

P, F, R, T = Approach.PROMPTING, Approach.FEW_SHOT, Approach.RAG, Approach.FINE_TUNING


def decision_for(data):
    form = validate_submission(data)
    return decide(form, estimate_costs(form))


def test_structured_task_with_plenty_of_data_is_fine_tuned_and_scores_add_up(form_data):
    # 4,000 examples: T+2; classification: T+2 F+1 P−1; low volume, so prompting is cheaper: P+1 F+1.
    d = decision_for(form_data())
    assert dict(d.scores) == {P: 0, F: 2, R: 0, T: 4}
    assert d.recommended is T and d.fine_tune
    assert d.summary.startswith("fine-tune: 4,000 examples")


def test_fewer_than_a_hundred_examples_rules_out_fine_tuning_for_few_shot(form_data):
    data = form_data()
    data["data_sources"][0]["volume_estimate"] = 60
    d = decision_for(data)
    assert d.recommended is F and not d.fine_tune
    assert d.ruled_out == {T: "60 examples, at least 100 are needed"}
    assert d.summary.startswith("don't fine-tune, use few_shot: only 60 examples")
    assert "fine-tuning ruled out: 60 examples, at least 100 are needed" in d.why


def test_fast_changing_knowledge_points_to_rag_not_fine_tuning(form_data):
    d = decision_for(form_data(task_type="chat", knowledge_change="daily"))
    # T: +2 data −2 freshness = 0; R: +3; P: +1 open-ended +1 cost = 2; F: +1 cost
    assert dict(d.scores) == {P: 2, F: 1, R: 3, T: 0}
    assert d.recommended is R
    assert any("knowledge changes daily" in reason for reason in d.why)


def test_consistent_format_at_high_volume_and_low_latency_is_fine_tuned(form_data):
    d = decision_for(
        form_data(
            task_type="generation",
            needs_consistent_format=True,
            request_volume={"requests_per_day": 200_000, "avg_input_tokens": 500, "avg_output_tokens": 50},
            latency={"p95_ms": 500, "interactive": True},
        )
    )
    assert dict(d.scores) == {P: -1, F: 0, R: -1, T: 7}
    assert d.recommended is T
    assert any(reason.startswith("cheaper to fine-tune at this volume") for reason in d.why)


def test_open_ended_task_at_low_volume_stays_with_prompting_on_a_tie(form_data):
    # T: +2 data; P: +1 open-ended +1 cost → 2 each; the tie goes to the simpler approach.
    d = decision_for(
        form_data(
            task_type="summarisation",
            request_volume={"requests_per_day": 100},
            latency={"p95_ms": 5000, "interactive": False},
        )
    )
    assert d.scores[P] == d.scores[T] == 2
    assert d.recommended is P
    assert any("zero-shot" in reason for reason in d.why)


def test_personal_data_moves_a_point_from_fine_tuning_to_rag(form_data):
    plain = decision_for(form_data())
    sensitive = decision_for(form_data(sensitivity={"pii": True, "regulatory": False, "proprietary": False}))
    assert sensitive.scores[T] == plain.scores[T] - 1
    assert sensitive.scores[R] == plain.scores[R] + 1
    assert sensitive.scores[P] == plain.scores[P]
