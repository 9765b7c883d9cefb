import pytest

from tuneline.evaluation.metrics.classification import (
    accuracy,
    classification_report,
    confusion_matrix,
)

# Hand-worked example: references a,b,b,b,c,c predicted as a,a,b,b,c,a.
PREDICTIONS = ["a", "a", "b", "b", "c", "a"]
REFERENCES = ["a", "b", "b", "b", "c", "c"]


def test_accuracy_counts_exact_label_matches():
    assert accuracy(PREDICTIONS, REFERENCES) == pytest.approx(4 / 6)


def test_confusion_matrix_rows_are_references_and_columns_predictions():
    matrix = confusion_matrix(PREDICTIONS, REFERENCES)
    assert matrix.labels == ["a", "b", "c"]
    assert matrix.counts == [[1, 0, 0], [1, 2, 0], [1, 0, 1]]


def test_per_class_and_macro_scores_match_hand_computation():
    report = classification_report(PREDICTIONS, REFERENCES)
    a, b, c = report.per_class["a"], report.per_class["b"], report.per_class["c"]
    assert (a.precision, a.recall, a.f1, a.support) == pytest.approx((1 / 3, 1.0, 0.5, 1))
    assert (b.precision, b.recall, b.f1, b.support) == pytest.approx((1.0, 2 / 3, 0.8, 3))
    assert (c.precision, c.recall, c.f1, c.support) == pytest.approx((1.0, 0.5, 2 / 3, 2))
    assert report.macro_precision == pytest.approx(7 / 9)
    assert report.macro_recall == pytest.approx(13 / 18)
    assert report.macro_f1 == pytest.approx(59 / 90)


def test_class_never_predicted_has_zero_precision_not_nan():
    report = classification_report(["a", "a"], ["a", "b"])
    assert report.per_class["b"].precision == 0.0
    assert report.per_class["b"].f1 == 0.0


def test_rejects_unpaired_predictions_and_references():
    with pytest.raises(ValueError, match="predictions has 1 items but references has 2"):
        accuracy(["a"], ["a", "b"])


def test_rejects_prediction_outside_given_labels_and_names_it():
    with pytest.raises(ValueError, match="'x' is not in the labels"):
        confusion_matrix(["x"], ["a"], labels=["a", "b"])
