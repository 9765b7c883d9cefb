"""BLEU through sacrebleu (its default 13a tokenisation), on the 0-100 scale sacrebleu reports."""

from __future__ import annotations

from collections.abc import Sequence


def corpus_bleu(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU with one reference per sample."""
    import sacrebleu

    if len(predictions) != len(references):
        raise ValueError(
            f"predictions has {len(predictions)} items but references has {len(references)}; they must pair up"
        )
    if not references:
        raise ValueError("references is empty: a metric needs at least one sample")
    return float(sacrebleu.corpus_bleu(list(predictions), [list(references)]).score)


def sentence_bleu(prediction: str, reference: str) -> float:
    """Per-sample BLEU with sacrebleu's default exponential smoothing, for error analysis."""
    import sacrebleu

    return float(sacrebleu.sentence_bleu(prediction, [reference]).score)
