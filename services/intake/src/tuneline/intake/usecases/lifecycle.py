"""The use-case lifecycle: which action moves a use case from which status to which.

draft → submitted → in_review → approved | rejected | needs_changes; needs_changes → submitted again;
approved → in_progress (a dataset or job exists) → deployed → retired. Editing is an action that keeps
the status, so "you cannot edit now" is answered like every other illegal move: with what is allowed.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_CHANGES = "needs_changes"
    IN_PROGRESS = "in_progress"
    DEPLOYED = "deployed"
    RETIRED = "retired"


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    START_WORK = "start_work"
    DEPLOY = "deploy"
    RETIRE = "retire"


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.DRAFT, Action.EDIT): Status.DRAFT,
    (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
    (Status.NEEDS_CHANGES, Action.EDIT): Status.NEEDS_CHANGES,
    (Status.NEEDS_CHANGES, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.START_REVIEW): Status.IN_REVIEW,
    (Status.IN_REVIEW, Action.APPROVE): Status.APPROVED,
    (Status.IN_REVIEW, Action.REJECT): Status.REJECTED,
    (Status.IN_REVIEW, Action.REQUEST_CHANGES): Status.NEEDS_CHANGES,
    (Status.APPROVED, Action.START_WORK): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Action.DEPLOY): Status.DEPLOYED,
    # A model can be redeployed (new version, rollback) without leaving "deployed".
    (Status.DEPLOYED, Action.DEPLOY): Status.DEPLOYED,
    # Work can be stopped at any point after approval, not only once deployed.
    (Status.APPROVED, Action.RETIRE): Status.RETIRED,
    (Status.IN_PROGRESS, Action.RETIRE): Status.RETIRED,
    (Status.DEPLOYED, Action.RETIRE): Status.RETIRED,
}

TERMINAL = frozenset({Status.REJECTED, Status.RETIRED})


class IllegalTransition(Exception):
    """The action is not possible in the current status; ``allowed`` lists what is."""

    def __init__(self, status: Status, action: Action) -> None:
        self.status = status
        self.action = action
        self.allowed = allowed_actions(status)
        allowed = ", ".join(a.value for a in self.allowed) or "nothing (final status)"
        super().__init__(f"cannot {action.value} a use case that is {status.value}; allowed: {allowed}")


def allowed_actions(status: Status) -> tuple[Action, ...]:
    return tuple(action for (source, action) in TRANSITIONS if source is status)


def next_status(status: Status, action: Action) -> Status:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None
