"""The profiles in use on this deployment, over the shared cost model (``tuneline.common.costing``).

The model itself (profiles, throughput per parameter count and method, price, the estimate formula) lives in
libs/common so intake's estimate of a use case and this service's estimate of its first job agree.
"""

from __future__ import annotations

from tuneline.common.costing import (
    DEFAULT_PROFILES,
    MEASUREMENT_SMOOTHING,
    DurationEstimate,
    HardwareProfile,
    estimate_duration,
    flops_per_token,
    fold_measurement,
)
from tuneline.training.estimate.memory import Method

__all__ = [
    "DEFAULT_PROFILES",
    "DurationEstimate",
    "HardwareProfile",
    "HardwareTable",
    "estimate_duration",
    "flops_per_token",
]


class HardwareTable:
    """The profiles in use; `record_job` folds a finished job's measured throughput in (EMA)."""

    def __init__(
        self, profiles: tuple[HardwareProfile, ...] = DEFAULT_PROFILES, smoothing: float = MEASUREMENT_SMOOTHING
    ) -> None:
        if not 0 < smoothing <= 1:
            raise ValueError(f"smoothing must be in (0, 1], got {smoothing}")
        self._profiles = {p.name: p for p in profiles}
        self.smoothing = smoothing

    def names(self) -> list[str]:
        return sorted(self._profiles)

    def get(self, name: str) -> HardwareProfile:
        try:
            return self._profiles[name]
        except KeyError:
            raise KeyError(f"unknown hardware profile {name!r}; known: {', '.join(self.names())}") from None

    def record_job(self, name: str, params: int, method: Method, tokens: int, seconds: float) -> HardwareProfile:
        """Fold a finished job into the profile (see ``tuneline.common.costing.fold_measurement``)."""
        updated = fold_measurement(
            self.get(name), params=params, method=method, tokens=tokens, seconds=seconds, smoothing=self.smoothing
        )
        self._profiles[name] = updated
        return updated
