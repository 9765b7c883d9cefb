"""Training cost of a use case: the shared model (``tuneline.common.costing``) over the form's volume.

    training_tokens = examples × tokens_per_example × epochs
    seconds, cost   = tuneline.common.costing.estimate_duration(...) on one device of the profile
    wall_hours      = seconds / gpus / 3600
    gpu_hours       = seconds / 3600

The training service estimates a job with the same function and the same profile (``TUNELINE_HARDWARE_PROFILE``,
refined from measured jobs), so a use case and its first job are costed alike. Scaling over GPUs is taken as
linear, so more GPUs shorten the run but do not change its cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneline.common.costing import HardwareProfile, estimate_duration


@dataclass(frozen=True)
class TrainingEstimate:
    profile: str
    training_tokens: int
    tokens_per_s: float  # all GPUs together
    wall_hours: float
    gpu_hours: float
    cost_usd: float


def estimate_training(
    *,
    examples: int,
    tokens_per_example: int,
    epochs: int,
    parameters: int,
    method: str,
    profile: HardwareProfile,
    gpus: int = 1,
) -> TrainingEstimate:
    for name, value in (("examples", examples), ("tokens_per_example", tokens_per_example)):
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    for name, value in (("epochs", epochs), ("gpus", gpus)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    duration = estimate_duration(examples * tokens_per_example, epochs, parameters, method, profile)
    return TrainingEstimate(
        profile=profile.name,
        training_tokens=duration.tokens,
        tokens_per_s=duration.tokens_per_second * gpus,
        wall_hours=duration.seconds / gpus / 3600,
        gpu_hours=duration.seconds / 3600,
        cost_usd=duration.cost_usd,
    )
