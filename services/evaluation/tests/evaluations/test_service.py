import dataclasses

import pytest

from tuneline.evaluation.evaluations.service import forgetting_figures, release_decision
from tuneline.evaluation.gate.decision import CapabilityScores, GateThresholds, decide
from tuneline.evaluation.summary.report import summarise


def test_release_needs_gate_and_every_kpi(outcome):
    passed = release_decision(outcome, summarise(outcome, {"accuracy": 0.7}))
    assert passed.passed
    assert passed.reasons[0].startswith("forgetting gate: general-text perplexity went from 30.00 to 33.00")
    assert "KPI accuracy = 0.75, target at least 0.7: met" in passed.reasons

    missed = release_decision(outcome, summarise(outcome, {"accuracy": 0.9}))
    assert not missed.passed
    assert "KPI accuracy = 0.75, target at least 0.9: missed" in missed.reasons


def test_business_kpi_the_evaluation_cannot_measure_is_reported_but_does_not_block(outcome):
    decision = release_decision(outcome, summarise(outcome, {"accuracy": 0.7, "triage time": 1.0}))
    assert decision.passed
    assert (
        "KPI triage time was not measured by this evaluation (business KPI: not a release criterion)"
        in decision.reasons
    )


def test_failed_gate_blocks_release_even_with_kpis_met(outcome):
    forgot = decide(CapabilityScores(30.0, 0.6), CapabilityScores(64.0, 0.6), GateThresholds())
    decision = release_decision(dataclasses.replace(outcome, gate=forgot), summarise(outcome, {"accuracy": 0.1}))
    assert not decision.passed
    assert any("the model forgot" in r for r in decision.reasons)


def test_missing_gate_blocks_release(outcome):
    decision = release_decision(dataclasses.replace(outcome, gate=None), summarise(outcome))
    assert not decision.passed and decision.reasons[0] == "the forgetting gate did not run"


def test_forgetting_figures_carry_base_tuned_ratio_and_limits(outcome):
    figures = forgetting_figures(outcome)
    assert figures["perplexity_ratio"] == pytest.approx(1.1)
    assert figures["general_perplexity_tuned"] == 33.0
    assert figures["max_perplexity_ratio"] == 1.5
    assert figures["suite_drop"] == pytest.approx(0.0)
