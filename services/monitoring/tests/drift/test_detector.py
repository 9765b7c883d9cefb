from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tuneline.monitoring.drift.config import DriftConfig
from tuneline.monitoring.drift.detector import detect_drift
from tuneline.monitoring.drift.embedders import HashedBagOfWordsEmbedder
from tuneline.monitoring.drift.reference import ReferenceProfile, build_reference
from tuneline.monitoring.drift.report import DriftCheckName, DriftReport

END = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CONFIG = DriftConfig(mmd_permutations=200, mmd_max_samples=200)
EMBEDDER = HashedBagOfWordsEmbedder(dimension=128)
REFERENCE_SHARES = (0.6, 0.3, 0.1)


@pytest.fixture(scope="module")
def reference(synthetic) -> ReferenceProfile:
    rng = np.random.default_rng(100)
    texts = synthetic.prompts(rng, 1000)
    return build_reference(texts, EMBEDDER, CONFIG, labels=synthetic.labels(rng, 1000, REFERENCE_SHARES))


def run(reference: ReferenceProfile, texts: list[str], labels: list[str] | None = None) -> DriftReport:
    return detect_drift(
        reference,
        texts,
        EMBEDDER,
        CONFIG,
        model="m",
        version="1",
        window_start=END - timedelta(hours=1),
        window_end=END,
        live_labels=labels,
    )


def test_stays_quiet_on_an_unshifted_window(reference: ReferenceProfile, synthetic) -> None:
    rng = np.random.default_rng(5)
    report = run(reference, synthetic.prompts(rng, 150), synthetic.labels(rng, 150, REFERENCE_SHARES))
    assert not report.drifted
    assert [c.name for c in report.checks] == list(DriftCheckName)
    assert all(not c.skipped for c in report.checks)


def test_longer_prompts_fire_the_length_check_with_its_evidence(reference: ReferenceProfile, synthetic) -> None:
    report = run(reference, synthetic.prompts(np.random.default_rng(6), 150, mean_length=35.0))
    check = report.check(DriftCheckName.PROMPT_LENGTH)
    assert check is not None and check.drifted
    assert check.p_value is not None and check.p_value < CONFIG.length_alpha
    assert check.statistic is not None and check.statistic >= CONFIG.length_min_statistic
    assert check.details["live_median_tokens"] > check.details["reference_median_tokens"]
    assert (check.n_reference, check.n_live) == (1000, 150)
    assert not report.check(DriftCheckName.TOKEN_DISTRIBUTION).drifted


def test_a_different_vocabulary_fires_the_token_and_embedding_checks(reference: ReferenceProfile, synthetic) -> None:
    report = run(reference, synthetic.prompts(np.random.default_rng(7), 150, order=synthetic.shifted_order))
    tokens = report.check(DriftCheckName.TOKEN_DISTRIBUTION)
    embeddings = report.check(DriftCheckName.EMBEDDING_DISTRIBUTION)
    assert tokens is not None and tokens.drifted
    assert tokens.statistic is not None and tokens.statistic >= CONFIG.token_psi_threshold
    assert tokens.details["top_shifts"][0]["bucket"] == "<other>"  # the new common words are outside top-k
    assert embeddings is not None and embeddings.drifted
    assert embeddings.p_value == pytest.approx(1 / (CONFIG.mmd_permutations + 1))
    assert not report.check(DriftCheckName.PROMPT_LENGTH).drifted


def test_a_shifted_label_mix_fires_the_label_check(reference: ReferenceProfile, synthetic) -> None:
    rng = np.random.default_rng(8)
    report = run(reference, synthetic.prompts(rng, 200), synthetic.labels(rng, 200, (0.3, 0.3, 0.4)))
    check = report.check(DriftCheckName.LABEL_DISTRIBUTION)
    assert check is not None and check.drifted
    assert check.details["psi"] >= CONFIG.label_psi_threshold
    assert report.drifted_checks == [DriftCheckName.LABEL_DISTRIBUTION]


def test_too_small_a_window_is_skipped_with_its_reason_not_reported_as_no_drift(
    reference: ReferenceProfile, synthetic
) -> None:
    report = run(reference, synthetic.prompts(np.random.default_rng(9), 20, order=synthetic.shifted_order))
    assert not report.drifted
    assert all(c.skipped_reason == "too few live samples: 20 < 50" for c in report.checks)


def test_false_alarm_rate_over_repeated_unshifted_windows_is_within_its_bound(
    reference: ReferenceProfile, synthetic
) -> None:
    """Each check runs at level 1 %: per check we allow at most 4 alarms in 100 windows (P(>=5) = 0.3 % at
    1 %), and for the whole report (at most 4 % by the union bound) at most 8 (P(>=9) = 2 % at 4 %)."""
    rng = np.random.default_rng(2026)
    repetitions = 100
    per_check = dict.fromkeys(DriftCheckName, 0)
    any_alarm = 0
    for _ in range(repetitions):
        report = run(reference, synthetic.prompts(rng, 60), synthetic.labels(rng, 60, REFERENCE_SHARES))
        for name in report.drifted_checks:
            per_check[name] += 1
        any_alarm += report.drifted
    assert all(count <= 4 for count in per_check.values()), per_check
    assert any_alarm <= 8, (any_alarm, per_check)


def test_reference_round_trips_through_json_types(reference: ReferenceProfile) -> None:
    restored = ReferenceProfile.from_dict(reference.to_dict())
    assert restored.token_buckets == reference.token_buckets
    assert restored.lengths == reference.lengths
    assert restored.label_counts == reference.label_counts
    assert np.allclose(restored.embeddings, reference.embeddings, atol=1e-6)


def test_refuses_live_embeddings_from_another_embedder(reference: ReferenceProfile, synthetic) -> None:
    with pytest.raises(ValueError, match="embedder"):
        detect_drift(
            reference,
            synthetic.prompts(np.random.default_rng(1), 60),
            HashedBagOfWordsEmbedder(dimension=64),
            CONFIG,
            model="m",
            version="1",
            window_start=END,
            window_end=END,
        )


def test_config_names_the_bad_setting() -> None:
    with pytest.raises(ValueError, match="token_alpha"):
        DriftConfig(token_alpha=1.5)
    with pytest.raises(ValueError, match="min_live_sample"):
        DriftConfig.from_dict({"min_live_sample": 3})
