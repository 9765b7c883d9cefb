"""Synthetic prompt streams: a Zipf vocabulary and Poisson lengths, shifted on demand."""

from collections.abc import Sequence

import numpy as np
import pytest

VOCABULARY = [f"w{i}" for i in range(500)]


def zipf_probabilities(order: Sequence[int]) -> np.ndarray:
    weights = np.zeros(len(VOCABULARY))
    for rank, word_index in enumerate(order):
        weights[word_index] = 1.0 / (rank + 1) ** 1.1
    return weights / weights.sum()


BASE_ORDER = list(range(len(VOCABULARY)))
SHIFTED_ORDER = list(range(250, 500)) + list(range(250))  # a different half of the vocabulary is common


def make_prompts(
    rng: np.random.Generator, n: int, *, mean_length: float = 20.0, order: Sequence[int] = BASE_ORDER
) -> list[str]:
    probabilities = zipf_probabilities(order)
    lengths = rng.poisson(mean_length, size=n) + 3
    return [" ".join(rng.choice(VOCABULARY, size=int(length), p=probabilities)) for length in lengths]


def make_labels(rng: np.random.Generator, n: int, shares: Sequence[float]) -> list[str]:
    return [str(label) for label in rng.choice(["billing", "outage", "other"], size=n, p=list(shares))]


class Synthetic:
    """Handed to tests as a fixture: with --import-mode=importlib a test cannot import conftest."""

    base_order = BASE_ORDER
    shifted_order = SHIFTED_ORDER
    prompts = staticmethod(make_prompts)
    labels = staticmethod(make_labels)


@pytest.fixture(scope="session")
def synthetic() -> type[Synthetic]:
    return Synthetic
