"""Krippendorff's alpha for inter-rater agreement (nominal, ordinal or interval data, missing values allowed).

alpha = 1 - D_o / D_e, computed through the coincidence matrix (Krippendorff, "Computing Krippendorff's
Alpha-Reliability", 2011): every unit with m >= 2 values adds 1/(m-1) for each ordered pair of its values.
Ordinal distance between ranks c <= k is (sum of n_g for g from c to k  -  (n_c + n_k) / 2)^2 over the
values' marginal totals n_g; interval distance is (c - k)^2; nominal is 0 when equal, else 1.
1 is perfect agreement, 0 is chance, below 0 is systematic disagreement. The usual reading: >= 0.8 reliable,
>= 0.667 enough for tentative conclusions.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from itertools import permutations
from typing import Literal

Level = Literal["nominal", "ordinal", "interval"]


def _coincidences(units: Sequence[Sequence[Hashable | None]]) -> dict[tuple[Hashable, Hashable], float]:
    matrix: dict[tuple[Hashable, Hashable], float] = {}
    for unit in units:
        values = [v for v in unit if v is not None]
        if len(values) < 2:
            continue
        weight = 1.0 / (len(values) - 1)
        for a, b in permutations(values, 2):
            matrix[(a, b)] = matrix.get((a, b), 0.0) + weight
    return matrix


def _distance(
    level: Level, ordered: list[Hashable], totals: dict[Hashable, float]
) -> Callable[[Hashable, Hashable], float]:
    if level == "nominal":
        return lambda c, k: 0.0 if c == k else 1.0
    if level == "interval":
        return lambda c, k: (float(c) - float(k)) ** 2  # type: ignore[arg-type]
    rank = {value: i for i, value in enumerate(ordered)}

    def ordinal(c: Hashable, k: Hashable) -> float:
        low, high = sorted((rank[c], rank[k]))
        between = sum(totals[ordered[g]] for g in range(low, high + 1))
        return (between - (totals[c] + totals[k]) / 2) ** 2

    return ordinal


def krippendorff_alpha(units: Sequence[Sequence[Hashable | None]], level: Level = "ordinal") -> float | None:
    """``units[u]`` holds the values the coders gave unit u (None = not rated).

    Returns None when alpha is undefined: fewer than two pairable values, or every value identical
    (no variation to agree on).
    """
    if level not in ("nominal", "ordinal", "interval"):
        raise ValueError(f"level must be nominal, ordinal or interval, got {level!r}")
    matrix = _coincidences(units)
    totals: dict[Hashable, float] = {}
    for (c, _), count in matrix.items():
        totals[c] = totals.get(c, 0.0) + count
    n = sum(totals.values())
    if n < 2 or len(totals) < 2:
        return None
    ordered = sorted(totals)  # type: ignore[type-var]
    delta = _distance(level, ordered, totals)
    observed = sum(count * delta(c, k) for (c, k), count in matrix.items())
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in ordered for k in ordered)
    return 1.0 - (n - 1) * observed / expected
