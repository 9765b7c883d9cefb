import pytest

from tuneline.evaluation.review.sampling import blind_sample


def test_blind_sample_is_reproducible_and_records_sides(outcome):
    first = blind_sample(outcome.samples, 3, seed=7)
    assert first == blind_sample(outcome.samples, 3, seed=7)
    assert len(first) == 3 and len({i.record_id for i in first}) == 3
    by_id = {s.record_id: s for s in outcome.samples}
    for item in first:
        sample = by_id[item.record_id]
        tuned_text = item.output_a if item.tuned_side == "A" else item.output_b
        base_text = item.output_b if item.tuned_side == "A" else item.output_a
        assert (tuned_text, base_text) == (sample.tuned.output, sample.base.output)
        assert item.model_of(item.tuned_side) == "tuned"


def test_sides_are_randomised_across_items(outcome):
    samples = outcome.samples * 10
    sides = {item.tuned_side for item in blind_sample(samples, 40, seed=1)}
    assert sides == {"A", "B"}


def test_count_larger_than_samples_takes_them_all(outcome):
    assert len(blind_sample(outcome.samples, 99, seed=0)) == len(outcome.samples)


def test_rejects_non_positive_count(outcome):
    with pytest.raises(ValueError, match="count must be >= 1"):
        blind_sample(outcome.samples, 0, seed=0)
