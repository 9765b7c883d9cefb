import pytest

from tuneline.evaluation.metrics.rouge import lcs_length, rouge, rouge_l, rouge_n, tokenize

PREDICTION = "The cat sat on the mat."
REFERENCE = "the cat is on the mat"


def test_tokenize_lowercases_and_splits_on_non_alphanumerics():
    assert tokenize("Pump-3 failed, at 14:02_UTC.") == ["pump", "3", "failed", "at", "14", "02", "utc"]


def test_rouge1_clips_unigram_counts():
    # Overlap: the×2, cat, on, mat = 5 of 6 on both sides.
    assert rouge_n(PREDICTION, REFERENCE, 1) == pytest.approx(5 / 6)


def test_rouge2_counts_shared_bigrams():
    # Shared: "the cat", "on the", "the mat" = 3 of 5 bigrams each.
    assert rouge_n(PREDICTION, REFERENCE, 2) == pytest.approx(3 / 5)


def test_rouge_l_uses_longest_common_subsequence():
    assert lcs_length(["a", "b", "c", "d"], ["a", "c", "d", "b"]) == 3
    assert rouge_l(PREDICTION, REFERENCE) == pytest.approx(5 / 6)


def test_rouge_is_zero_for_empty_prediction():
    assert rouge_l("", REFERENCE) == 0.0


def test_corpus_rouge_is_mean_of_samples():
    scores = rouge([PREDICTION, "nothing alike"], [REFERENCE, REFERENCE])
    assert scores.rouge1 == pytest.approx((5 / 6 + 0) / 2)
    assert scores.rougeL == pytest.approx((5 / 6 + 0) / 2)
