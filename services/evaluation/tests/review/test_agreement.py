import pytest

from tuneline.evaluation.review.agreement import krippendorff_alpha

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4-coder × 12-unit example with
# missing values; the paper reports alpha nominal 0.743, ordinal 0.815, interval 0.849.
PAPER_UNITS = [
    [1, 1, N, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [N, 5, 5, 5], [N, N, 1, 1], [N, N, N, 3],
]  # fmt: skip


@pytest.mark.parametrize(("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_matches_published_example(level, expected):
    assert krippendorff_alpha(PAPER_UNITS, level) == pytest.approx(expected, abs=5e-4)


def test_small_example_computed_by_hand():
    # Coincidences: o11 = 2, o22 = 2, o12 = o21 = 1; n1 = n2 = 3, n = 6.
    # D_o = 2/6, D_e = 2·3·3 / (6·5) = 0.6 → alpha = 1 - (1/3)/0.6 = 4/9.
    assert krippendorff_alpha([[1, 1], [2, 2], [1, 2]], "nominal") == pytest.approx(4 / 9)


def test_perfect_agreement_is_one_and_no_variation_is_undefined():
    assert krippendorff_alpha([[1, 1], [5, 5], [3, 3]], "ordinal") == pytest.approx(1.0)
    assert krippendorff_alpha([[4, 4], [4, 4]], "ordinal") is None
    assert krippendorff_alpha([[4, N], [N, 3]], "ordinal") is None  # nothing pairable


def test_ordinal_penalises_distant_ranks_more_than_near_ones():
    near = krippendorff_alpha([[1, 2], [3, 3], [5, 5], [2, 2]], "ordinal")
    far = krippendorff_alpha([[1, 5], [3, 3], [5, 5], [2, 2]], "ordinal")
    assert near is not None and far is not None and near > far
