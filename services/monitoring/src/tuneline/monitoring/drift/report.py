"""A drift report: each check with the evidence behind its verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class DriftCheckName(StrEnum):
    PROMPT_LENGTH = "prompt_length"
    TOKEN_DISTRIBUTION = "token_distribution"
    EMBEDDING_DISTRIBUTION = "embedding_distribution"
    LABEL_DISTRIBUTION = "label_distribution"


@dataclass(frozen=True, slots=True)
class DriftCheck:
    name: DriftCheckName
    method: str
    drifted: bool
    n_reference: int
    n_live: int
    statistic: float | None = None
    threshold: float | None = None
    p_value: float | None = None
    alpha: float | None = None
    skipped_reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def skipped(self) -> bool:
        return self.skipped_reason is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name.value,
            "method": self.method,
            "drifted": self.drifted,
            "n_reference": self.n_reference,
            "n_live": self.n_live,
            "statistic": self.statistic,
            "threshold": self.threshold,
            "p_value": self.p_value,
            "alpha": self.alpha,
            "skipped_reason": self.skipped_reason,
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class DriftReport:
    model: str
    version: str
    usecase_id: str | None
    window_start: datetime
    window_end: datetime
    checks: tuple[DriftCheck, ...]

    @property
    def drifted(self) -> bool:
        return any(check.drifted for check in self.checks)

    @property
    def drifted_checks(self) -> list[DriftCheckName]:
        return [check.name for check in self.checks if check.drifted]

    def check(self, name: DriftCheckName) -> DriftCheck | None:
        return next((c for c in self.checks if c.name is name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "version": self.version,
            "usecase_id": self.usecase_id,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "drifted": self.drifted,
            "checks": [check.to_dict() for check in self.checks],
        }
