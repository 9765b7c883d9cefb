"""Compare a live window of inputs (and predicted labels) with a reference profile; one check per aspect.

Each check fires only with enough samples, a significant test and (where a p-value alone would fire on
negligible shifts in big windows) an effect size over its threshold. With per-check level alpha the chance
that a report on unshifted data shows any drift is at most the sum of the alphas run (4 % with the defaults).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from tuneline.monitoring.drift.config import DriftConfig
from tuneline.monitoring.drift.embedders import Embedder
from tuneline.monitoring.drift.reference import ReferenceProfile, sample_indices
from tuneline.monitoring.drift.report import DriftCheck, DriftCheckName, DriftReport
from tuneline.monitoring.drift.statistics import chi_square_homogeneity, ks_test, mmd_permutation_test, psi
from tuneline.monitoring.drift.tokens import OTHER_BUCKET, bucket_counts, token_counts, tokenize


def _too_few(name: DriftCheckName, method: str, n_ref: int, n_live: int, config: DriftConfig) -> DriftCheck | None:
    if n_ref < config.min_reference_samples:
        reason = f"too few reference samples: {n_ref} < {config.min_reference_samples}"
    elif n_live < config.min_live_samples:
        reason = f"too few live samples: {n_live} < {config.min_live_samples}"
    else:
        return None
    return DriftCheck(name=name, method=method, drifted=False, n_reference=n_ref, n_live=n_live, skipped_reason=reason)


def check_prompt_length(reference: ReferenceProfile, live_texts: Sequence[str], config: DriftConfig) -> DriftCheck:
    name, method = DriftCheckName.PROMPT_LENGTH, "ks_2samp"
    n_ref, n_live = len(reference.lengths), len(live_texts)
    skipped = _too_few(name, method, n_ref, n_live, config)
    if skipped:
        return skipped
    live_lengths = [len(tokenize(text)) for text in live_texts]
    result = ks_test(reference.lengths, live_lengths)
    drifted = result.p_value < config.length_alpha and result.statistic >= config.length_min_statistic
    return DriftCheck(
        name=name,
        method=method,
        drifted=drifted,
        n_reference=n_ref,
        n_live=n_live,
        statistic=result.statistic,
        threshold=config.length_min_statistic,
        p_value=result.p_value,
        alpha=config.length_alpha,
        details={
            "reference_median_tokens": float(np.median(reference.lengths)),
            "live_median_tokens": float(np.median(live_lengths)),
        },
    )


def check_token_distribution(reference: ReferenceProfile, live_texts: Sequence[str], config: DriftConfig) -> DriftCheck:
    name, method = DriftCheckName.TOKEN_DISTRIBUTION, f"psi_top{len(reference.token_buckets)}_plus_other"
    skipped = _too_few(name, method, reference.records, len(live_texts), config)
    if skipped:
        return skipped
    live_counts = bucket_counts(token_counts(live_texts), reference.token_buckets)
    if sum(live_counts) == 0 or sum(reference.token_bucket_counts) == 0:
        return DriftCheck(
            name=name,
            method=method,
            drifted=False,
            n_reference=sum(reference.token_bucket_counts),
            n_live=sum(live_counts),
            skipped_reason="no tokens on one side",
        )
    result = psi(reference.token_bucket_counts, live_counts)
    drifted = result.statistic >= config.token_psi_threshold and result.p_value < config.token_alpha
    return DriftCheck(
        name=name,
        method=method,
        drifted=drifted,
        n_reference=sum(reference.token_bucket_counts),
        n_live=sum(live_counts),
        statistic=result.statistic,
        threshold=config.token_psi_threshold,
        p_value=result.p_value,
        alpha=config.token_alpha,
        details={
            "unit": "tokens",
            "top_shifts": _top_shifts(reference.token_buckets, reference.token_bucket_counts, live_counts),
        },
    )


def _top_shifts(
    buckets: Sequence[str], ref_counts: Sequence[int], live_counts: Sequence[int]
) -> list[dict[str, object]]:
    """The buckets whose share moved most, so a person sees what changed (tokens are the reference's own)."""
    names = [*buckets, OTHER_BUCKET]
    ref_share = np.asarray(ref_counts, dtype=float) / max(sum(ref_counts), 1)
    live_share = np.asarray(live_counts, dtype=float) / max(sum(live_counts), 1)
    order = np.argsort(-np.abs(live_share - ref_share))[:5]
    return [
        {
            "bucket": names[i],
            "reference_share": round(float(ref_share[i]), 4),
            "live_share": round(float(live_share[i]), 4),
        }
        for i in order
    ]


def check_embeddings(
    reference: ReferenceProfile, live_texts: Sequence[str], embedder: Embedder, config: DriftConfig
) -> DriftCheck:
    name, method = DriftCheckName.EMBEDDING_DISTRIBUTION, "mmd_rbf_median_heuristic_permutation"
    if embedder.name != reference.embedder_name:
        raise ValueError(
            f"embedder: reference was embedded with {reference.embedder_name!r}, live with {embedder.name!r}"
        )
    n_ref = len(reference.embeddings)
    rng = np.random.default_rng(config.seed + 1)
    chosen = sample_indices(len(live_texts), config.mmd_max_samples, rng)
    skipped = _too_few(name, method, n_ref, len(chosen), config)
    if skipped:
        return skipped
    live = embedder.embed([live_texts[i] for i in chosen])
    result = mmd_permutation_test(reference.embeddings, live, config.mmd_permutations, rng)
    return DriftCheck(
        name=name,
        method=method,
        drifted=result.p_value < config.embedding_alpha,
        n_reference=n_ref,
        n_live=len(chosen),
        statistic=result.mmd2,
        threshold=None,
        p_value=result.p_value,
        alpha=config.embedding_alpha,
        details={"embedder": embedder.name, "bandwidth": result.bandwidth, "permutations": result.permutations},
    )


def check_labels(reference: ReferenceProfile, live_labels: Sequence[str], config: DriftConfig) -> DriftCheck:
    name, method = DriftCheckName.LABEL_DISTRIBUTION, "chi2_homogeneity_and_psi"
    ref_counts = reference.label_counts or {}
    n_ref = sum(ref_counts.values())
    skipped = _too_few(name, method, n_ref, len(live_labels), config)
    if skipped:
        return skipped
    live_counts: dict[str, int] = {}
    for label in live_labels:
        live_counts[label] = live_counts.get(label, 0) + 1
    labels = sorted(set(ref_counts) | set(live_counts))
    ref_vector = [ref_counts.get(label, 0) for label in labels]
    live_vector = [live_counts.get(label, 0) for label in labels]
    chi2 = chi_square_homogeneity(ref_vector, live_vector)
    stability = psi(ref_vector, live_vector).statistic if len(labels) >= 2 else 0.0
    return DriftCheck(
        name=name,
        method=method,
        drifted=chi2.p_value < config.label_alpha and stability >= config.label_psi_threshold,
        n_reference=n_ref,
        n_live=len(live_labels),
        statistic=chi2.statistic,
        threshold=config.label_psi_threshold,
        p_value=chi2.p_value,
        alpha=config.label_alpha,
        details={
            "psi": stability,
            "reference_counts": dict(zip(labels, ref_vector, strict=True)),
            "live_counts": dict(zip(labels, live_vector, strict=True)),
            "unseen_in_reference": [label for label in labels if label not in ref_counts],
        },
    )


def detect_drift(
    reference: ReferenceProfile,
    live_texts: Sequence[str],
    embedder: Embedder,
    config: DriftConfig,
    *,
    model: str,
    version: str,
    window_start: datetime,
    window_end: datetime,
    usecase_id: str | None = None,
    live_labels: Sequence[str] | None = None,
) -> DriftReport:
    """Run every applicable check; the label check runs when both sides have labels."""
    if live_labels is not None and len(live_labels) > 0 and len(live_labels) != len(live_texts):
        raise ValueError(f"live_labels: expected one per live text ({len(live_texts)}), got {len(live_labels)}")
    rng = np.random.default_rng(config.seed + 2)
    chosen = sample_indices(len(live_texts), config.max_live_samples, rng)
    texts = [live_texts[i] for i in chosen]
    checks = [
        check_prompt_length(reference, texts, config),
        check_token_distribution(reference, texts, config),
        check_embeddings(reference, texts, embedder, config),
    ]
    if live_labels and reference.label_counts is not None:
        checks.append(check_labels(reference, [live_labels[i] for i in chosen], config))
    return DriftReport(
        model=model,
        version=version,
        usecase_id=usecase_id,
        window_start=window_start,
        window_end=window_end,
        checks=tuple(checks),
    )
