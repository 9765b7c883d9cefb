import math

import pytest

from tuneline.evaluation.metrics.bleu import corpus_bleu, sentence_bleu


def test_identical_text_scores_100():
    assert corpus_bleu(["the cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx(100.0)


def test_short_exact_prefix_is_penalised_only_by_brevity():
    # All n-gram precisions are 1; brevity penalty exp(1 - 8/4) = e^-1.
    assert corpus_bleu(["a b c d"], ["a b c d e f g h"]) == pytest.approx(100 * math.exp(-1), abs=1e-6)


def test_sentence_bleu_of_disjoint_text_is_near_zero():
    assert sentence_bleu("x y z w", "a b c d") < 1.0


def test_rejects_unpaired_inputs():
    with pytest.raises(ValueError, match="must pair up"):
        corpus_bleu(["a"], [])
