"""One served inference request as monitoring sees it, validated at the edge of the domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RequestStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"


class InvalidObservation(ValueError):
    """An inference record that cannot be rolled up; the message names the field at fault."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@dataclass(frozen=True, slots=True)
class InferenceObservation:
    model: str
    version: str
    arm: str
    latency_ms: float
    tokens_in: int
    tokens_out: int
    status: RequestStatus
    caller_id: str
    occurred_at: datetime
    usecase_id: str | None = None
    # Measured by the serving side when it knows; otherwise cost falls back to latency (see pricing).
    gpu_seconds: float | None = None

    def __post_init__(self) -> None:
        for name in ("model", "version", "arm"):
            if not getattr(self, name):
                raise InvalidObservation(name, "must not be empty")
        if not (self.latency_ms >= 0.0):  # also rejects NaN
            raise InvalidObservation("latency_ms", f"must be >= 0, got {self.latency_ms!r}")
        for name in ("tokens_in", "tokens_out"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidObservation(name, f"must be a non-negative integer, got {value!r}")
        if not isinstance(self.status, RequestStatus):
            try:
                object.__setattr__(self, "status", RequestStatus(self.status))
            except ValueError:
                allowed = ", ".join(s.value for s in RequestStatus)
                raise InvalidObservation("status", f"must be one of {allowed}, got {self.status!r}") from None
        if self.occurred_at.tzinfo is None or self.occurred_at.utcoffset() is None:
            raise InvalidObservation("occurred_at", "must be timezone-aware (UTC)")
        if self.gpu_seconds is not None and not (self.gpu_seconds >= 0.0):
            raise InvalidObservation("gpu_seconds", f"must be >= 0 when given, got {self.gpu_seconds!r}")
