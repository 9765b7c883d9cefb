"""What a study's trials cost, as its cost cap counts it.

The cap counts, for every trial that got a job: the job's estimate (``cost_usd`` of the estimate every job is queued
with) while it has not finished, and its measured cost once it has: the machine time from its start to its end at
the price its estimate was made with (a pruned or failed trial costs what it ran; one cancelled before it started,
nothing). A new trial starts only when that sum plus its own estimate stays within the cap.
"""

from __future__ import annotations

from collections.abc import Iterable

from tuneline.training.jobs.states import TERMINAL, JobStatus
from tuneline.training.jobs.tables import TrainingJob


def estimated_cost(job: TrainingJob) -> float:
    return float(job.estimate.get("cost_usd") or 0.0)


def measured_cost(job: TrainingJob) -> float | None:
    """Machine time of a finished job at its estimate's price per second (None while it has not finished)."""
    if JobStatus(job.status) not in TERMINAL:
        return None
    if job.started_at is None or job.finished_at is None:
        return 0.0  # cancelled in the queue: no machine time
    seconds = float(job.estimate.get("seconds") or 0.0)
    if seconds <= 0:
        return 0.0
    per_second = estimated_cost(job) / seconds
    return max(0.0, (job.finished_at - job.started_at).total_seconds()) * per_second


def committed_cost(jobs: Iterable[TrainingJob]) -> float:
    """Estimates of the unfinished trials plus the measured cost of the finished ones."""
    total = 0.0
    for job in jobs:
        measured = measured_cost(job)
        total += estimated_cost(job) if measured is None else measured
    return total


def within_cap(committed: float, next_estimate: float, cap: float | None) -> bool:
    return cap is None or committed + next_estimate <= cap + 1e-12
