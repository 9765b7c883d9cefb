"""Training cost: how many GPU hours and dollars one fine-tuning run takes.

    training_tokens = examples × tokens_per_example × epochs
    wall_hours      = training_tokens / (train_tokens_per_s(model, method) × gpus) / 3600
    gpu_hours       = wall_hours × gpus
    cost_usd        = gpu_hours × usd_per_gpu_hour

Scaling over GPUs is taken as linear, so more GPUs shorten the run but do not change its cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneline.intake.costing.hardware import HardwareProfile, train_tokens_per_s
from tuneline.intake.usecases.form import FineTuningMethod


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
    method: FineTuningMethod,
    profile: HardwareProfile,
    gpus: int = 1,
) -> TrainingEstimate:
    for name, value in (("examples", examples), ("tokens_per_example", tokens_per_example)):
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    for name, value in (("epochs", epochs), ("gpus", gpus)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    tokens = examples * tokens_per_example * epochs
    rate = train_tokens_per_s(profile, parameters, method) * gpus
    wall_hours = tokens / rate / 3600
    gpu_hours = wall_hours * gpus
    return TrainingEstimate(
        profile=profile.name,
        training_tokens=tokens,
        tokens_per_s=rate,
        wall_hours=wall_hours,
        gpu_hours=gpu_hours,
        cost_usd=gpu_hours * profile.usd_per_gpu_hour,
    )
