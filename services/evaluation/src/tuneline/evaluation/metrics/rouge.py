"""ROUGE-1, ROUGE-2 and ROUGE-L (F-measure), implemented here to keep tokenisation explicit.

Tokenisation: lower-case, then every maximal run of Unicode letters or digits is a token; punctuation,
underscores and whitespace separate tokens and are dropped ("Pump-3 failed." → ["pump", "3", "failed"]).
No stemming and no stop-word removal, so scores are comparable to rouge-score with ``use_stemmer=False``.
N-gram overlap is clipped by count; ROUGE-L uses the longest common subsequence over the whole text.
The corpus score is the mean of per-sample F-measures.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class RougeScores:
    rouge1: float
    rouge2: float
    rougeL: float


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _f_measure(overlap: int, predicted: int, expected: int) -> float:
    if overlap == 0 or predicted == 0 or expected == 0:
        return 0.0
    precision, recall = overlap / predicted, overlap / expected
    return 2 * precision * recall / (precision + recall)


def rouge_n(prediction: str, reference: str, n: int) -> float:
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    pred_tokens, ref_tokens = tokenize(prediction), tokenize(reference)
    pred_grams = Counter(tuple(pred_tokens[i : i + n]) for i in range(len(pred_tokens) - n + 1))
    ref_grams = Counter(tuple(ref_tokens[i : i + n]) for i in range(len(ref_tokens) - n + 1))
    overlap = sum((pred_grams & ref_grams).values())
    return _f_measure(overlap, sum(pred_grams.values()), sum(ref_grams.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for token_a in a:
        current = [0]
        for j, token_b in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token_a == token_b else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    pred_tokens, ref_tokens = tokenize(prediction), tokenize(reference)
    return _f_measure(lcs_length(pred_tokens, ref_tokens), len(pred_tokens), len(ref_tokens))


def sample_rouge(prediction: str, reference: str) -> RougeScores:
    return RougeScores(
        rouge1=rouge_n(prediction, reference, 1),
        rouge2=rouge_n(prediction, reference, 2),
        rougeL=rouge_l(prediction, reference),
    )


def rouge(predictions: Sequence[str], references: Sequence[str]) -> RougeScores:
    if len(predictions) != len(references):
        raise ValueError(
            f"predictions has {len(predictions)} items but references has {len(references)}; they must pair up"
        )
    if not references:
        raise ValueError("references is empty: a metric needs at least one sample")
    samples = [sample_rouge(p, r) for p, r in zip(predictions, references, strict=True)]
    count = len(samples)
    return RougeScores(
        rouge1=sum(s.rouge1 for s in samples) / count,
        rouge2=sum(s.rouge2 for s in samples) / count,
        rougeL=sum(s.rougeL for s in samples) / count,
    )
