import math

import pytest

from tuneline.evaluation.metrics.perplexity import corpus_perplexity, perplexity


def test_perplexity_is_exp_of_mean_token_loss():
    assert perplexity([math.log(2), math.log(2)]) == pytest.approx(2.0)


def test_corpus_perplexity_weighs_tokens_not_samples():
    # (ln2 + 2·ln8) / 3 = 7/3·ln2 → 2^(7/3).
    assert corpus_perplexity([[math.log(2)], [math.log(8), math.log(8)]]) == pytest.approx(2 ** (7 / 3))


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_rejects_invalid_loss_and_names_the_sample(bad):
    with pytest.raises(ValueError, match="sample 1"):
        corpus_perplexity([[0.5], [bad]])


def test_rejects_no_tokens():
    with pytest.raises(ValueError, match="at least one scored token"):
        corpus_perplexity([[], []])
