"""Domain errors turn into clear JSON bodies with the right status codes."""

from __future__ import annotations

import pytest

from tuneline.common.errors import Conflict, DomainError, Forbidden, IllegalTransition, InvalidInput, NotFound, TooLarge


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (NotFound, 404, "not_found"),
        (Forbidden, 403, "forbidden"),
        (Conflict, 409, "conflict"),
        (InvalidInput, 422, "invalid_input"),
        (TooLarge, 413, "too_large"),
    ],
)
def test_each_error_has_its_status_and_code(cls: type[DomainError], status: int, code: str) -> None:
    err = cls("something is wrong")
    assert err.status_code == status
    assert err.to_body() == {"error": code, "detail": "something is wrong"}


def test_field_and_extra_values_are_in_the_body() -> None:
    err = InvalidInput("must be positive", field="epochs", got=-1)
    assert err.to_body() == {"error": "invalid_input", "detail": "must be positive", "field": "epochs", "got": -1}
    assert str(err) == "must be positive"


def test_illegal_transition_lists_allowed_targets_sorted() -> None:
    err = IllegalTransition("job", "completed", "running", {"archived", "cancelled"})
    assert isinstance(err, Conflict)
    assert err.status_code == 409
    assert err.to_body() == {
        "error": "illegal_transition",
        "detail": "job cannot go from 'completed' to 'running'; allowed from 'completed': archived, cancelled",
        "current": "completed",
        "requested": "running",
        "allowed": ["archived", "cancelled"],
    }


def test_illegal_transition_from_a_final_state_says_none() -> None:
    body = IllegalTransition("use case", "rejected", "approved", []).to_body()
    assert body["allowed"] == []
    assert body["detail"].endswith("allowed from 'rejected': none")
