"""Thresholds and minimum sample sizes for drift checks (one object per use case, defaults are sane)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class DriftConfig:
    # Fewer live prompts (or reference records) than this and every check reports "skipped", not "no drift".
    min_reference_samples: int = 50
    min_live_samples: int = 50
    # Reference and live samples are capped (seeded random subset) to bound memory and the O(n^2) MMD.
    max_reference_samples: int = 2_000
    max_live_samples: int = 2_000
    # Prompt length (tokens), KS test: drift needs p < alpha and a shift of at least min_statistic (effect size,
    # so a huge window does not fire on a negligible difference).
    length_alpha: float = 0.01
    length_min_statistic: float = 0.1
    # Token distribution, PSI over the reference's top_k tokens plus "other": drift needs PSI >= threshold
    # (0.1 moderate, 0.25 major by convention) and its approximate p-value < alpha.
    token_top_k: int = 50
    token_psi_threshold: float = 0.2
    token_alpha: float = 0.01
    # Embeddings, MMD with RBF kernel: drift needs the permutation p-value < alpha. At most mmd_max_samples
    # per side enter the test; permutations set the p-value's resolution (1 / (permutations + 1)).
    embedding_alpha: float = 0.01
    mmd_max_samples: int = 300
    mmd_permutations: int = 500
    # Predicted labels (classification), chi-square homogeneity test plus PSI as effect size.
    label_alpha: float = 0.01
    label_psi_threshold: float = 0.1
    # Seeds subsampling and permutations so a report can be reproduced from the same data.
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("length_alpha", "token_alpha", "embedding_alpha", "label_alpha"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ValueError(f"{name}: must be in (0, 1), got {value}")
        for name in (
            "min_reference_samples",
            "min_live_samples",
            "max_reference_samples",
            "max_live_samples",
            "token_top_k",
            "mmd_max_samples",
            "mmd_permutations",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 2:
                raise ValueError(f"{name}: must be an integer >= 2, got {value!r}")
        for name in ("length_min_statistic", "token_psi_threshold", "label_psi_threshold"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: must be >= 0, got {getattr(self, name)}")
        if self.min_live_samples > self.max_live_samples:
            raise ValueError("min_live_samples: must not exceed max_live_samples")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DriftConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{unknown[0]}: not a drift setting")
        return cls(**data)
