from __future__ import annotations

import pytest

from tuneline.intake.costing.estimate import estimate_costs
from tuneline.intake.qualification.checklist import (
    Criterion,
    Rating,
    Verdict,
    canonical_metric,
    check_data_availability,
    check_data_sensitivity,
    check_evaluation_metrics,
    check_model_impact,
    check_model_type,
    run_checklist,
)
from tuneline.intake.usecases.validation import validate_submission


def with_volume(form_data, volume, **changes):
    data = form_data(**changes)
    data["data_sources"][0]["volume_estimate"] = volume
    return validate_submission(data)


@pytest.mark.parametrize(("volume", "score"), [(50, 1), (99, 1), (100, 3), (999, 3), (1000, 4), (10_000, 5)])
def test_data_availability_scores_by_usable_records(form_data, volume, score):
    assert check_data_availability(with_volume(form_data, volume)).score == score


def test_data_below_the_policy_minimum_fails_and_says_so(form_data):
    form = with_volume(form_data, 4000, policy={"data_quality": {"min_examples": 5000}})
    result = check_data_availability(form)
    assert result.score == 1 and result.rating is Rating.FAIL
    assert any("minimum of 5,000" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("sensitivity", "review", "score"),
    [
        ({"pii": False, "regulatory": False, "proprietary": False}, True, 5),
        ({"pii": False, "regulatory": False, "proprietary": True}, True, 5),
        ({"pii": True, "regulatory": False, "proprietary": False}, True, 4),
        ({"pii": True, "regulatory": True, "proprietary": False, "regulations": ["GDPR"]}, True, 2),
        ({"pii": True, "regulatory": True, "proprietary": False}, False, 1),
    ],
)
def test_data_sensitivity_deducts_for_pii_regulation_and_missing_review(form_data, sensitivity, review, score):
    form = validate_submission(form_data(sensitivity=sensitivity, policy={"human_review_required": review}))
    result = check_data_sensitivity(form)
    assert result.score == score
    if sensitivity.get("regulations"):
        assert any("GDPR" in r for r in result.reasons)


def test_model_impact_high_value_with_baseline_and_quick_payback_passes(form_data):
    form = validate_submission(form_data())
    result = check_model_impact(form, estimate_costs(form))
    assert result.score == 5
    assert result.reasons[0].startswith("time saved is worth $182,500/month")


def test_model_impact_without_baseline_or_payback_is_marked_down(form_data):
    data = form_data(time_savings={"minutes_saved_per_task": 0.01, "hourly_cost_usd": 10, "tasks_per_month": 1000})
    del data["objectives"][0]["kpis"][0]["baseline"]
    form = validate_submission(data)
    result = check_model_impact(form, estimate_costs(form))
    # value $1.67/month → 2, no baseline −1, serving costs more than the value so no payback −1
    assert result.score == 0
    assert any("baseline" in r for r in result.reasons)
    assert any("never paid back" in r for r in result.reasons)


@pytest.mark.parametrize(("model_type", "score"), [("text", 5), ("vision", 2), ("multi-modal", 2), ("tabular", 1)])
def test_model_type_scores(form_data, model_type, score):
    assert check_model_type(validate_submission(form_data(model_type=model_type))).score == score


@pytest.mark.parametrize(
    ("task", "metrics", "score"),
    [
        ("classification", ["Accuracy", "F1 Score"], 5),
        ("summarisation", ["ROUGE-L", "latency"], 5),
        ("summarisation", ["Accuracy"], 3),
        ("classification", ["Business delight"], 1),
    ],
)
def test_evaluation_metrics_must_be_computable_and_fit_the_task(form_data, task, metrics, score):
    form = validate_submission(form_data(task_type=task, evaluation_metrics=metrics))
    result = check_evaluation_metrics(form)
    assert result.score == score
    if score == 1:
        assert result.reasons[-1] == "not computed automatically: Business delight"


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("F1 Score", "f1"),
        ("ROUGE-L", "rouge"),
        ("Exact Match", "exact_match"),
        ("Precision", "precision"),
        ("CSAT", "human_rating"),
        ("vibes", None),
    ],
)
def test_metric_names_are_recognised_in_common_spellings(name, canonical):
    assert canonical_metric(name) == canonical


@pytest.mark.parametrize(
    ("model_type", "verdict"),
    [("text", Verdict.READY), ("vision", Verdict.NEEDS_ATTENTION), ("tabular", Verdict.NOT_READY)],
)
def test_checklist_verdict_follows_the_worst_rating(form_data, model_type, verdict):
    form = validate_submission(form_data(model_type=model_type))
    checklist = run_checklist(form, estimate_costs(form))
    assert [i.criterion for i in checklist.items] == list(Criterion)
    assert checklist.verdict is verdict
    assert checklist.item(Criterion.DATA_AVAILABILITY).score == 4
