"""Domain errors every service raises from its rules; the app factory turns them into clear 4xx answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "detail": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class AccessDenied(Forbidden):
    """A refusal by the authorisation rule (`tuneline.common.access`); the app factory audits it as
    ``access.denied`` with what is named here (never record contents)."""

    def __init__(
        self,
        message: str,
        *,
        actor: str,
        action: str,
        resource_type: str,
        resource_id: object,
        team: str | None = None,
    ) -> None:
        super().__init__(message)
        self.actor = actor
        self.action = action
        self.resource_type = resource_type
        self.resource_id = str(resource_id)
        self.team = team


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"


class IllegalTransition(Conflict):
    """A state change that the lifecycle does not allow; the answer lists the allowed ones."""

    code = "illegal_transition"

    def __init__(self, entity: str, current: str, requested: str, allowed: Sequence[str]) -> None:
        allowed_list = sorted(allowed)
        super().__init__(
            f"{entity} cannot go from {current!r} to {requested!r}; allowed from {current!r}: "
            + (", ".join(allowed_list) if allowed_list else "none"),
            current=current,
            requested=requested,
            allowed=allowed_list,
        )
