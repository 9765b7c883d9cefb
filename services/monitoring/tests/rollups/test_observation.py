from datetime import datetime

import pytest

from tuneline.monitoring.rollups.observation import InferenceObservation, InvalidObservation, RequestStatus

VALID = {
    "model": "m",
    "version": "1",
    "arm": "stable",
    "latency_ms": 12.0,
    "tokens_in": 3,
    "tokens_out": 4,
    "status": RequestStatus.OK,
    "caller_id": "c",
    "occurred_at": datetime.fromisoformat("2026-03-02T12:00:00+00:00"),
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latency_ms", -1.0),
        ("latency_ms", float("nan")),
        ("tokens_in", -2),
        ("tokens_out", 1.5),
        ("status", "exploded"),
        ("occurred_at", datetime(2026, 3, 2, 12, 0, 0)),
        ("model", ""),
    ],
)
def test_rejects_bad_field_and_names_it(field: str, value: object) -> None:
    with pytest.raises(InvalidObservation) as caught:
        InferenceObservation(**{**VALID, field: value})
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}:")


def test_accepts_status_as_plain_string() -> None:
    observation = InferenceObservation(**{**VALID, "status": "timeout"})
    assert observation.status is RequestStatus.TIMEOUT
