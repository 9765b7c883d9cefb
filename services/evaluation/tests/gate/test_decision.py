import pytest

from tuneline.evaluation.gate.decision import CapabilityScores, GateThresholds, decide

DEFAULTS = GateThresholds()


def test_default_thresholds_pass_a_good_adapter_measured_in_traps():
    # TRAPS.md: a good maintenance-log LoRA took general-text perplexity 29.8 → 36.6.
    decision = decide(CapabilityScores(29.8, 0.55), CapabilityScores(36.6, 0.52), DEFAULTS)
    assert decision.passed
    assert decision.perplexity_ratio == pytest.approx(36.6 / 29.8)
    assert any("within the allowed ×1.50" in r for r in decision.reasons)


def test_default_thresholds_fail_the_forgetting_adapter_measured_in_traps():
    # TRAPS.md: lr 1e-3 raised it 29.8 → 64.3.
    decision = decide(CapabilityScores(29.8, 0.55), CapabilityScores(64.3, 0.55), DEFAULTS)
    assert not decision.passed
    assert decision.reasons == [
        "general-text perplexity went from 29.80 to 64.30 (×2.16), above the allowed ×1.50: the model forgot"
    ]


def test_suite_drop_beyond_threshold_fails_and_names_categories_that_fell():
    base = CapabilityScores(30.0, 0.60, {"arithmetic": 0.8, "facts": 0.5})
    tuned = CapabilityScores(31.0, 0.45, {"arithmetic": 0.4, "facts": 0.5})
    decision = decide(base, tuned, DEFAULTS)
    assert not decision.passed
    assert decision.suite_drop == pytest.approx(0.15)
    assert any("a drop beyond the allowed 10.0 points" in r for r in decision.reasons)
    assert "category arithmetic fell from 80% to 40%" in decision.reasons
    assert not any("facts" in r for r in decision.reasons)


def test_drop_exactly_at_threshold_passes():
    decision = decide(CapabilityScores(30.0, 0.5), CapabilityScores(45.0, 0.4), DEFAULTS)
    assert decision.passed


def test_optional_absolute_ceiling_fails_high_perplexity():
    thresholds = GateThresholds(max_perplexity=40.0)
    decision = decide(CapabilityScores(30.0, 0.5), CapabilityScores(41.0, 0.5), thresholds)
    assert not decision.passed
    assert any("exceeds the ceiling 40.00" in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"max_perplexity_ratio": 0.9}, "max_perplexity_ratio"), ({"max_suite_drop": 2}, "max_suite_drop")],
)
def test_invalid_thresholds_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        GateThresholds(**kwargs)


def test_capability_rejects_impossible_perplexity():
    with pytest.raises(ValueError, match="perplexity"):
        CapabilityScores(float("nan"), 0.5)
