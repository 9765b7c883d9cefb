"""Two-proportion z-test, shared by the canary guard and quality trends."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProportionTest:
    rate_a: float
    rate_b: float
    z: float
    p_value: float  # one-sided: evidence that b's rate is greater than a's


def two_proportion_z_test(successes_a: int, n_a: int, successes_b: int, n_b: int) -> ProportionTest:
    """One-sided pooled z-test of H1: p_b > p_a (e.g. a = stable errors, b = canary errors)."""
    from scipy import stats  # ~0.5 s to import: loaded when a statistical test first runs, not at service start

    for name, count, total in (("a", successes_a, n_a), ("b", successes_b, n_b)):
        if total <= 0:
            raise ValueError(f"n_{name}: must be > 0, got {total}")
        if not 0 <= count <= total:
            raise ValueError(f"successes_{name}: must be within 0..{total}, got {count}")
    rate_a, rate_b = successes_a / n_a, successes_b / n_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    variance = pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b)
    if variance == 0.0:
        # Both all-success or all-failure: identical rates, no evidence of a difference.
        return ProportionTest(rate_a=rate_a, rate_b=rate_b, z=0.0, p_value=1.0)
    z = (rate_b - rate_a) / math.sqrt(variance)
    return ProportionTest(rate_a=rate_a, rate_b=rate_b, z=z, p_value=float(stats.norm.sf(z)))
