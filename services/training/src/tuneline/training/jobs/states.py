"""The job lifecycle: which status may follow which, and what each person-facing action asks for.

    queued ──claim──> starting ──> running ──> succeeded | failed | cancelled
      │                  │            ├──pause──> paused ──resume──> queued
      └─cancel─> cancelled            └──worker lost──> queued (resumes from the last checkpoint) | failed

A running job is cancelled or paused by its worker (the request is recorded, the worker carries it out at the
next step), so those answers say "requested" until the worker reports.
"""

from __future__ import annotations

from enum import StrEnum

from tuneline.common.errors import IllegalTransition


class JobStatus(StrEnum):
    QUEUED = "queued"
    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.STARTING, JobStatus.CANCELLED}),
    JobStatus.STARTING: frozenset({JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.FAILED, JobStatus.CANCELLED}),
    JobStatus.RUNNING: frozenset(
        {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.PAUSED, JobStatus.QUEUED}
    ),
    JobStatus.PAUSED: frozenset({JobStatus.QUEUED, JobStatus.CANCELLED}),
    JobStatus.SUCCEEDED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}
ACTIVE = frozenset({JobStatus.STARTING, JobStatus.RUNNING})
TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


def check_transition(current: str, requested: JobStatus) -> None:
    """Raise IllegalTransition (409, naming the allowed next statuses) unless current -> requested is legal."""
    allowed = TRANSITIONS[JobStatus(current)]
    if requested not in allowed:
        raise IllegalTransition("training job", current, requested.value, [s.value for s in allowed])
