import pytest

from tuneline.evaluation.review.aggregates import aggregate
from tuneline.evaluation.review.policy import ReviewPolicy, review_required, review_status
from tuneline.evaluation.review.ratings import Rating, rating_from_dict
from tuneline.evaluation.review.sampling import BlindItem

ITEMS = [
    BlindItem("i1", "r1", "p", "ref", "tuned out", "base out", tuned_side="A"),
    BlindItem("i2", "r2", "p", "ref", "base out", "tuned out", tuned_side="B"),
]


def _rate(item, reviewer, side, score, safe=True):
    return Rating(item, reviewer, side, score, score, score, score, safe)


def _ratings(tuned_scores=(5, 4), base_scores=(3, 3), unsafe=False):
    ratings = []
    for reviewer in ("ann", "bob"):
        ratings += [
            _rate("i1", reviewer, "A", tuned_scores[0], safe=not unsafe),
            _rate("i1", reviewer, "B", base_scores[0]),
            _rate("i2", reviewer, "B", tuned_scores[1]),
            _rate("i2", reviewer, "A", base_scores[1]),
        ]
    return ratings


def test_aggregates_unblind_sides_and_average_per_criterion():
    result = aggregate(ITEMS, _ratings())
    assert result.tuned.criteria["relevance"].mean == pytest.approx(4.5)
    assert result.base.criteria["correctness"].mean == pytest.approx(3.0)
    assert result.tuned.overall == pytest.approx(4.5)
    assert (result.tuned_preferred, result.base_preferred, result.ties) == (4, 0, 0)
    assert result.items_rated == 2 and result.reviewers == 2
    # Both reviewers gave identical scores to each output → perfect agreement.
    assert result.agreement["helpfulness"] == pytest.approx(1.0)


def test_agreement_uses_ordinal_alpha_over_outputs():
    ratings = [
        _rate("i1", "ann", "A", 5), _rate("i1", "bob", "A", 4),
        _rate("i1", "ann", "B", 2), _rate("i1", "bob", "B", 2),
    ]  # fmt: skip
    # Units (5,4) and (2,2): n2 = 2, n4 = 1, n5 = 1; ordinal δ²(4,5) = (1+1 - 1)² = 1, δ²(2,4) = (2+1 - 1.5)² = 2.25,
    # δ²(2,5) = (2+1+1 - 1.5)² = 6.25. D_o·n = 2·1 = 2; Σ n_c n_k δ² = 2·(2·1·2.25 + 2·1·6.25 + 1·1·1) = 36.
    # alpha = 1 - (n - 1)·2 / 36 = 1 - 3·2/36 = 5/6.
    assert aggregate(ITEMS, ratings).agreement["relevance"] == pytest.approx(5 / 6)


def test_rating_validation_names_the_field():
    with pytest.raises(ValueError, match="style_match must be an integer from 1 to 5"):
        Rating("i1", "ann", "A", 3, 3, 6, 3, True)
    with pytest.raises(ValueError, match="missing field 'safe'"):
        rating_from_dict({"item_id": "i1", "reviewer": "a", "side": "A", "relevance": 1, "correctness": 1,
                          "style_match": 1, "helpfulness": 1})  # fmt: skip


def test_unknown_item_is_rejected():
    with pytest.raises(ValueError, match="unknown item_id 'nope'"):
        aggregate(ITEMS, [_rate("nope", "ann", "A", 3)])


def test_review_incomplete_until_enough_items_have_two_reviewers():
    ratings = [r for r in _ratings() if r.reviewer == "ann"]
    status = review_status(aggregate(ITEMS, ratings), ratings, sampled_items=2, policy=ReviewPolicy())
    assert not status.complete and status.passed is None
    assert status.reasons == ["0 of the 2 items needed have ratings from 2 reviewers"]


def test_review_passes_when_tuned_is_as_good_safe_and_reviewers_agree():
    ratings = _ratings()
    status = review_status(aggregate(ITEMS, ratings), ratings, sampled_items=2, policy=ReviewPolicy())
    assert status.complete and status.passed


def test_review_fails_on_unsafe_output_or_worse_tuned():
    ratings = _ratings(tuned_scores=(2, 2), base_scores=(4, 4), unsafe=True)
    status = review_status(aggregate(ITEMS, ratings), ratings, sampled_items=2, policy=ReviewPolicy())
    assert status.passed is False
    assert "2 tuned outputs were flagged unsafe" in status.reasons
    assert any(r.startswith("relevance: tuned 2.00 vs base 4.00") for r in status.reasons)


def test_review_required_for_generation_narrow_gate_and_regressions(outcome):
    decision = review_required(outcome.task, outcome.gate, outcome.samples, ReviewPolicy())
    # outcome: 1 of 4 samples regressed (25% > 10%); gate ratio 1.1 is far from 1.5.
    assert decision.required
    assert decision.reasons == ["tuned did worse than base on 25% of samples (more than 10%)"]
    assert review_required("generation", None, [], ReviewPolicy()).required
    assert not review_required("classification", None, [], ReviewPolicy()).required
