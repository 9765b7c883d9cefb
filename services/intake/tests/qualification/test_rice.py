from __future__ import annotations

import pytest

from tuneline.intake.form import FineTuningMethod
from tuneline.intake.qualification.assess import assess
from tuneline.intake.qualification.checklist import Verdict
from tuneline.intake.qualification.rice import (
    Confidence,
    Impact,
    RiceOverrides,
    effort_person_months,
    impact_from_value,
    rice_score,
)
from tuneline.intake.usecases.validation import validate_submission

DAYS = 365 / 12


def test_rice_is_reach_times_impact_times_confidence_over_effort():
    s = rice_score(reach=1000, impact=Impact.HIGH, confidence=Confidence.MEDIUM, effort_person_months=2)
    assert s.score == pytest.approx(1000 * 2 * 0.8 / 2)


@pytest.mark.parametrize(
    ("value", "impact"),
    [
        (50_000, Impact.MASSIVE),
        (49_999, Impact.HIGH),
        (10_000, Impact.HIGH),
        (2_000, Impact.MEDIUM),
        (500, Impact.LOW),
        (499, Impact.MINIMAL),
        (0, Impact.MINIMAL),
    ],
)
def test_impact_scale_from_monthly_value(value, impact):
    assert impact_from_value(value) is impact


def test_effort_from_method_weeks_and_team():
    assert effort_person_months(FineTuningMethod.QLORA) == pytest.approx(3.5 * 3 / (52 / 12))
    assert effort_person_months(FineTuningMethod.FULL, team_size=2) == pytest.approx(6.5 * 2 / (52 / 12))


@pytest.mark.parametrize(("field", "value"), [("effort_person_months", 0), ("reach", -1)])
def test_rice_refuses_bad_inputs_by_name(field, value):
    args = dict(reach=1, impact=Impact.LOW, confidence=Confidence.LOW, effort_person_months=1)
    args[field] = value
    with pytest.raises(ValueError, match=field):
        rice_score(**args)


def test_assessment_derives_rice_from_the_form(form_data):
    a = assess(validate_submission(form_data()))
    assert a.checklist.verdict is Verdict.READY
    # reach: 2,000/day × 30.42 × 3 months; value $182,500/month → massive; ready → high confidence
    assert a.rice.reach == pytest.approx(2000 * DAYS * 3)
    assert (a.rice.impact, a.rice.confidence) == (Impact.MASSIVE, Confidence.HIGH)
    assert a.rice.score == pytest.approx(2000 * DAYS * 3 * 3 * 1.0 / (3.5 * 3 / (52 / 12)))
    assert a.decision.fine_tune


def test_reviewer_overrides_replace_the_derived_figures(form_data):
    overrides = RiceOverrides(reach=100, impact=Impact.LOW, confidence=Confidence.LOW, effort_person_months=5)
    a = assess(validate_submission(form_data()), rice_overrides=overrides)
    assert a.rice.score == pytest.approx(100 * 0.5 * 0.5 / 5)
