from datetime import UTC, datetime

import pytest

from tuneline.monitoring.rollups.observation import InferenceObservation, RequestStatus


def make_observation(
    *,
    latency_ms: float = 100.0,
    status: str = "ok",
    caller: str = "c1",
    at: datetime | None = None,
    model: str = "ticket-classifier",
    version: str = "3",
    arm: str = "stable",
    tokens_in: int = 100,
    tokens_out: int = 10,
    gpu_seconds: float | None = None,
) -> InferenceObservation:
    return InferenceObservation(
        model=model,
        version=version,
        arm=arm,
        latency_ms=latency_ms,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        status=RequestStatus(status),
        caller_id=caller,
        occurred_at=at or datetime(2026, 3, 2, 12, 0, 30, tzinfo=UTC),
        usecase_id="uc-1",
        gpu_seconds=gpu_seconds,
    )


@pytest.fixture
def observation_factory():
    return make_observation
