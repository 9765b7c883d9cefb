"""A job's phase and how long the rest of its run will take: pure rules, no I/O.

    queued ──claim──> preparing_data ─> loading_model ─> generating_replay ─> training ─> evaluating ─> saving ─> done

The worker reports each phase as the run enters it (tuneline.common.results.TrainingPhaseReport); a job that is
re-queued or resumed goes back to queued; a failed or cancelled job keeps the phase it stopped in, so its answer
says where. The ETA adds up every phase still ahead, each at the best rate known: measured in this run where it
has been measured (replay answers, steps), else the job's estimate from before it started.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class JobPhase(StrEnum):
    QUEUED = "queued"
    PREPARING_DATA = "preparing_data"
    LOADING_MODEL = "loading_model"
    GENERATING_REPLAY = "generating_replay"
    TRAINING = "training"
    EVALUATING = "evaluating"
    SAVING = "saving"
    DONE = "done"


ORDER: tuple[JobPhase, ...] = tuple(JobPhase)


def is_before(phase: JobPhase, other: JobPhase) -> bool:
    return ORDER.index(phase) < ORDER.index(other)


@dataclass(frozen=True)
class Remaining:
    """The work left in the phases that count towards the ETA."""

    replay_answers: int = 0
    """Replay answers still to generate (0 when the cache is warm or the run has no replay)."""
    seconds_per_answer: float = 0.0
    training_seconds: float = 0.0
    """Seconds of optimizer steps left: remaining steps at the measured (or, before training, estimated) rate."""
    save_seconds: float = 0.0


def eta_seconds(phase: JobPhase, remaining: Remaining) -> float:
    """Seconds to the end of the run from `phase`: the replay, training and saving still ahead of it."""
    if phase is JobPhase.DONE:
        return 0.0
    seconds = 0.0
    if not is_before(JobPhase.GENERATING_REPLAY, phase):
        seconds += remaining.replay_answers * remaining.seconds_per_answer
    if not is_before(JobPhase.TRAINING, phase):
        seconds += remaining.training_seconds
    seconds += remaining.save_seconds  # every phase before done still has the adapter to save
    return round(seconds, 1)


def estimated_remaining(
    estimate: dict[str, Any],
    *,
    step: int,
    total_steps: int,
    replay_left: int | None = None,
    seconds_per_answer: float | None = None,
    training_seconds_left: float | None = None,
) -> Remaining:
    """The work left, from what the run measured (arguments) with the job's estimate filling the gaps."""
    per_step = float(estimate.get("training_seconds") or estimate.get("seconds") or 0.0) / max(total_steps, 1)
    return Remaining(
        replay_answers=int(estimate.get("replay_answers") or 0) if replay_left is None else replay_left,
        seconds_per_answer=(
            float(estimate.get("replay_seconds_per_answer") or 0.0)
            if seconds_per_answer is None
            else seconds_per_answer
        ),
        training_seconds=max(total_steps - step, 0) * per_step
        if training_seconds_left is None
        else training_seconds_left,
        save_seconds=float(estimate.get("save_seconds") or 0.0),
    )
