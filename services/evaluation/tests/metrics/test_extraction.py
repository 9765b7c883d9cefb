import pytest

from tuneline.evaluation.metrics.extraction import field_f1, field_scores, flatten

REFERENCE = '{"machine": "M-204", "severity": "high", "codes": ["E1", "E2"]}'


def test_flatten_joins_nested_keys_and_indexes_lists():
    assert flatten({"a": {"b": 1}, "c": ["x", "y"]}) == {"a.b": 1.0, "c[0]": "x", "c[1]": "y"}


def test_field_scores_count_matching_key_value_pairs():
    # 4 reference pairs; prediction has 4 pairs of which machine (case/space-normalised) and codes[0] match.
    prediction = '{"machine": " m-204", "severity": "low", "codes": ["E1"], "extra": 1}'
    score = field_scores(prediction, REFERENCE)
    assert (score.precision, score.recall, score.f1) == pytest.approx((0.5, 0.5, 0.5))
    assert score.reason is None


def test_numbers_compare_by_value():
    assert field_scores('{"count": 3.0}', '{"count": 3}').f1 == 1.0


def test_fenced_json_prediction_is_parsed():
    assert field_scores('```json\n{"machine": "M-204"}\n```', '{"machine": "M-204"}').f1 == 1.0


def test_unparsable_prediction_scores_zero_with_reason():
    score = field_scores("machine is M-204", REFERENCE)
    assert score.f1 == 0.0
    assert "prediction is not a JSON object" in score.reason


def test_corpus_field_f1_averages_samples_and_counts_parse_failures():
    report = field_f1(['{"machine": "M-204", "severity": "high", "codes": ["E1", "E2"]}', "oops"], [REFERENCE] * 2)
    assert report.f1 == pytest.approx(0.5)
    assert report.parse_failures == 1


def test_invalid_reference_is_a_data_error_naming_the_sample():
    with pytest.raises(ValueError, match="sample 1: reference is not a JSON object"):
        field_f1(["{}", "{}"], ["{}", "[1, 2]"])
