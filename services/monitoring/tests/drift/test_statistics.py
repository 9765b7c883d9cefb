import numpy as np
import pytest

from tuneline.monitoring.drift.statistics import chi_square_homogeneity, ks_test, mmd_permutation_test, psi


def test_psi_of_an_even_split_moving_to_one_quarter_is_the_hand_computed_value() -> None:
    # smoothed shares: (0.5, 0.5) -> (25.5/101, 75.5/101); sum (l - r) ln(l / r) = 0.26868
    result = psi([50, 50], [25, 75])
    assert result.statistic == pytest.approx(0.268677, abs=1e-6)


def test_psi_is_zero_for_identical_shares_and_its_p_value_is_one() -> None:
    result = psi([10, 20, 30], [100, 200, 300])
    assert result.statistic == pytest.approx(0.0, abs=1e-3)
    assert result.p_value > 0.99


def test_psi_rejects_mismatched_buckets_and_empty_samples() -> None:
    with pytest.raises(ValueError, match="psi"):
        psi([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="psi"):
        psi([0, 0], [1, 2])


def test_chi_square_of_a_swapped_two_by_two_table_is_the_hand_computed_value() -> None:
    # expected 15 in every cell: 4 * (5^2 / 15) = 6.667 with 1 dof -> p = 0.00982
    result = chi_square_homogeneity([10, 20], [20, 10])
    assert result.statistic == pytest.approx(20 / 3)
    assert result.p_value == pytest.approx(0.009823, abs=1e-5)


def test_ks_statistic_of_disjoint_samples_is_one() -> None:
    result = ks_test([1, 2, 3, 4, 5], [10, 11, 12, 13, 14])
    assert result.statistic == 1.0
    assert result.p_value < 0.01


def test_mmd_bandwidth_is_the_median_pairwise_distance() -> None:
    # pooled 0,1,2,3: distances 1,1,1,2,2,3 -> median 1.5
    result = mmd_permutation_test(
        np.array([[0.0], [1.0]]), np.array([[2.0], [3.0]]), permutations=10, rng=np.random.default_rng(0)
    )
    assert result.bandwidth == 1.5


def test_mmd_separates_distant_clusters_with_the_smallest_possible_p_value() -> None:
    rng = np.random.default_rng(3)
    result = mmd_permutation_test(
        rng.normal(0, 1, (60, 4)), rng.normal(3, 1, (60, 4)), permutations=199, rng=np.random.default_rng(1)
    )
    assert result.mmd2 > 0
    assert result.p_value == pytest.approx(1 / 200)


def test_mmd_of_two_samples_of_one_distribution_is_not_significant() -> None:
    rng = np.random.default_rng(4)
    result = mmd_permutation_test(
        rng.normal(0, 1, (80, 4)), rng.normal(0, 1, (80, 4)), permutations=199, rng=np.random.default_rng(2)
    )
    assert result.p_value > 0.05
