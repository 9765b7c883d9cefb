"""The two-sample statistics behind drift checks: KS, PSI, chi-square and kernel MMD with a permutation test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PSI_SMOOTHING = 0.5  # added to every bucket count so an empty bucket has a finite log-ratio


@dataclass(frozen=True, slots=True)
class TwoSampleResult:
    statistic: float
    p_value: float


def ks_test(reference: Sequence[float] | np.ndarray, live: Sequence[float] | np.ndarray) -> TwoSampleResult:
    """Two-sample Kolmogorov-Smirnov. With ties (integer lengths) its p-value is conservative."""
    from scipy import stats  # ~0.5 s to import: loaded when a statistical test first runs, not at service start

    result = stats.ks_2samp(np.asarray(reference, dtype=float), np.asarray(live, dtype=float))
    return TwoSampleResult(statistic=float(result.statistic), p_value=float(result.pvalue))


def psi(reference_counts: Sequence[int], live_counts: Sequence[int]) -> TwoSampleResult:
    """Population stability index between two bucketed samples, with an approximate p-value.

    PSI = sum((p_live - p_ref) * ln(p_live / p_ref)) over smoothed proportions. When both samples are
    independent draws from one distribution, PSI / (1/n_ref + 1/n_live) is approximately chi-square with
    (buckets - 1) degrees of freedom; that gives the p-value, which keeps small live windows (where PSI is
    noisy) from firing. The approximation assumes independent items: tokens of one prompt are not, so for
    tokens the p-value is optimistic and the PSI threshold remains the main guard.
    """
    from scipy import stats  # ~0.5 s to import: loaded when a statistical test first runs, not at service start

    ref = np.asarray(reference_counts, dtype=float)
    live = np.asarray(live_counts, dtype=float)
    if ref.shape != live.shape or ref.ndim != 1 or ref.size < 2:
        raise ValueError("psi: both samples need the same buckets, at least two")
    n_ref, n_live = ref.sum(), live.sum()
    if n_ref <= 0 or n_live <= 0:
        raise ValueError("psi: both samples need at least one item")
    p_ref = (ref + PSI_SMOOTHING) / (n_ref + PSI_SMOOTHING * ref.size)
    p_live = (live + PSI_SMOOTHING) / (n_live + PSI_SMOOTHING * live.size)
    value = float(np.sum((p_live - p_ref) * np.log(p_live / p_ref)))
    scaled = value / (1.0 / n_ref + 1.0 / n_live)
    return TwoSampleResult(statistic=value, p_value=float(stats.chi2.sf(scaled, df=ref.size - 1)))


def chi_square_homogeneity(reference_counts: Sequence[int], live_counts: Sequence[int]) -> TwoSampleResult:
    """Chi-square test that two samples of categories come from one distribution (2 x k table)."""
    from scipy import stats  # ~0.5 s to import: loaded when a statistical test first runs, not at service start

    table = np.array([reference_counts, live_counts], dtype=float)
    table = table[:, table.sum(axis=0) > 0]  # a category neither side saw carries no information
    if table.shape[1] < 2:
        return TwoSampleResult(statistic=0.0, p_value=1.0)
    result = stats.chi2_contingency(table, correction=False)
    return TwoSampleResult(statistic=float(result.statistic), p_value=float(result.pvalue))


@dataclass(frozen=True, slots=True)
class MmdResult:
    mmd2: float
    bandwidth: float
    p_value: float
    permutations: int


def _squared_distances(points: np.ndarray) -> np.ndarray:
    norms = np.sum(points * points, axis=1)
    squared = norms[:, None] + norms[None, :] - 2.0 * points @ points.T
    return np.maximum(squared, 0.0)


def _mmd2_unbiased(kernel: np.ndarray, assignment: np.ndarray, n: int, m: int) -> np.ndarray:
    """Unbiased MMD^2 for each row of `assignment` (1 = first sample, 0 = second); kernel has a zero diagonal."""
    first = assignment.T.astype(float)
    second = 1.0 - first
    k_first = kernel @ first
    within_first = np.sum(first * k_first, axis=0)
    between = np.sum(second * k_first, axis=0)
    within_second = np.sum(second * (kernel @ second), axis=0)
    result: np.ndarray = within_first / (n * (n - 1)) + within_second / (m * (m - 1)) - 2.0 * between / (n * m)
    return result


def mmd_permutation_test(
    reference: np.ndarray, live: np.ndarray, permutations: int, rng: np.random.Generator
) -> MmdResult:
    """Kernel two-sample test: RBF kernel with the median-heuristic bandwidth, permutation p-value.

    The bandwidth is the median pairwise distance of the pooled sample; the p-value is
    (1 + #permuted statistics >= observed) / (1 + permutations), exact in level under the null.
    """
    n, m = len(reference), len(live)
    if n < 2 or m < 2:
        raise ValueError("mmd: both samples need at least two embeddings")
    pooled = np.vstack([reference, live]).astype(np.float64)
    squared = _squared_distances(pooled)
    off_diagonal = squared[~np.eye(n + m, dtype=bool)]
    median = float(np.median(np.sqrt(off_diagonal)))
    bandwidth = median if median > 0 else 1.0
    kernel = np.exp(-squared / (2.0 * bandwidth * bandwidth))
    np.fill_diagonal(kernel, 0.0)

    observed_assignment = np.zeros((1, n + m), dtype=bool)
    observed_assignment[0, :n] = True
    observed = float(_mmd2_unbiased(kernel, observed_assignment, n, m)[0])

    shuffled = np.zeros((permutations, n + m), dtype=bool)
    for row in range(permutations):
        shuffled[row, rng.permutation(n + m)[:n]] = True
    null = _mmd2_unbiased(kernel, shuffled, n, m)
    exceed = int(np.sum(null >= observed - 1e-12))
    return MmdResult(
        mmd2=observed, bandwidth=bandwidth, p_value=(1 + exceed) / (1 + permutations), permutations=permutations
    )
