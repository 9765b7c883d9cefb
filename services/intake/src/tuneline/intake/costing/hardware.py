"""Hardware profiles: what one GPU costs and how fast it trains and serves.

Throughput is stated per GPU for a reference model size (7B parameters) trained with LoRA, and scaled
for other sizes and methods:

    train_tokens_per_s(model, method) = profile.train_tokens_per_s × (reference_parameters / parameters)
                                        × METHOD_SPEED[method]
    serve_tokens_per_s(model)         = profile.serve_tokens_per_s × (reference_parameters / parameters)

Compute per token grows roughly linearly with parameter count, hence the inverse scaling. QLoRA pays for
dequantising 4-bit weights on every step; full fine-tuning updates every weight and keeps optimizer
state for all of them. The default table is a planning starting point (on-demand list prices and
typical throughput, 2025); every figure is configurable and ``refine_training_throughput`` replaces the
guess with what a finished job actually measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tuneline.intake.usecases.form import FineTuningMethod

REFERENCE_PARAMETERS = 7_000_000_000

METHOD_SPEED: Mapping[FineTuningMethod, float] = {
    FineTuningMethod.LORA: 1.0,
    FineTuningMethod.QLORA: 0.8,
    FineTuningMethod.FULL: 0.35,
}


@dataclass(frozen=True)
class HardwareProfile:
    name: str
    gpu_type: str
    usd_per_gpu_hour: float
    train_tokens_per_s: float  # per GPU, LoRA, model of reference_parameters
    serve_tokens_per_s: float  # per GPU, batched serving, prompt + generated tokens
    reference_parameters: int = REFERENCE_PARAMETERS

    def __post_init__(self) -> None:
        if self.usd_per_gpu_hour < 0:
            raise ValueError(f"hardware profile {self.name!r}: usd_per_gpu_hour must not be negative")
        for name in ("train_tokens_per_s", "serve_tokens_per_s", "reference_parameters"):
            if getattr(self, name) <= 0:
                raise ValueError(f"hardware profile {self.name!r}: {name} must be positive, got {getattr(self, name)}")


DEFAULT_PROFILES: Mapping[str, HardwareProfile] = {
    p.name: p
    for p in (
        HardwareProfile("l4", "NVIDIA L4 24GB", 0.80, 700.0, 1_500.0),
        HardwareProfile("l40s", "NVIDIA L40S 48GB", 1.90, 2_000.0, 4_000.0),
        HardwareProfile("a100-40gb", "NVIDIA A100 40GB", 3.00, 3_000.0, 5_000.0),
        HardwareProfile("a100-80gb", "NVIDIA A100 80GB", 3.70, 3_200.0, 5_500.0),
        HardwareProfile("h100", "NVIDIA H100 80GB", 6.90, 6_500.0, 11_000.0),
    )
}


def _check_parameters(parameters: int) -> None:
    if parameters <= 0:
        raise ValueError(f"parameters must be positive, got {parameters}")


def train_tokens_per_s(profile: HardwareProfile, parameters: int, method: FineTuningMethod) -> float:
    _check_parameters(parameters)
    return profile.train_tokens_per_s * profile.reference_parameters / parameters * METHOD_SPEED[method]


def serve_tokens_per_s(profile: HardwareProfile, parameters: int) -> float:
    _check_parameters(parameters)
    return profile.serve_tokens_per_s * profile.reference_parameters / parameters


def refine_training_throughput(
    profile: HardwareProfile, *, tokens: int, seconds: float, gpus: int, parameters: int, method: FineTuningMethod
) -> HardwareProfile:
    """The profile with its training speed replaced by one measured on a real job (normalised back)."""
    if tokens <= 0 or seconds <= 0 or gpus <= 0:
        raise ValueError("tokens, seconds and gpus of a measured job must be positive")
    _check_parameters(parameters)
    per_gpu = tokens / seconds / gpus
    reference = per_gpu * parameters / profile.reference_parameters / METHOD_SPEED[method]
    return replace(profile, train_tokens_per_s=reference)


def load_profiles(rows: Iterable[Mapping[str, Any]]) -> dict[str, HardwareProfile]:
    """Profiles from configuration rows (e.g. JSON); an error names the row and field at fault."""
    profiles: dict[str, HardwareProfile] = {}
    required = ("name", "gpu_type", "usd_per_gpu_hour", "train_tokens_per_s", "serve_tokens_per_s")
    for i, row in enumerate(rows):
        missing = [key for key in required if key not in row]
        if missing:
            raise ValueError(f"hardware profile row {i}: missing {', '.join(missing)}")
        try:
            profile = HardwareProfile(
                name=str(row["name"]),
                gpu_type=str(row["gpu_type"]),
                usd_per_gpu_hour=float(row["usd_per_gpu_hour"]),
                train_tokens_per_s=float(row["train_tokens_per_s"]),
                serve_tokens_per_s=float(row["serve_tokens_per_s"]),
                reference_parameters=int(row.get("reference_parameters", REFERENCE_PARAMETERS)),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"hardware profile row {i}: {exc}") from exc
        profiles[profile.name] = profile
    return profiles
