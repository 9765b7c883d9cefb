"""Serving hardware profiles: what one GPU costs and how fast it serves.

Training is costed with the shared model in ``tuneline.common.costing`` (the same one the training service
estimates its jobs with, refined from measured jobs). Serving throughput is stated per GPU for a reference
model size (7B parameters) and scaled for other sizes:

    serve_tokens_per_s(model) = profile.serve_tokens_per_s × (reference_parameters / parameters)

Compute per token grows roughly linearly with parameter count, hence the inverse scaling. The default
table is a planning starting point (on-demand list prices and typical throughput, 2025); every figure is
configurable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

REFERENCE_PARAMETERS = 7_000_000_000


@dataclass(frozen=True)
class ServingProfile:
    name: str
    gpu_type: str
    usd_per_gpu_hour: float
    serve_tokens_per_s: float  # per GPU, batched serving, prompt + generated tokens
    reference_parameters: int = REFERENCE_PARAMETERS

    def __post_init__(self) -> None:
        if self.usd_per_gpu_hour < 0:
            raise ValueError(f"hardware profile {self.name!r}: usd_per_gpu_hour must not be negative")
        for name in ("serve_tokens_per_s", "reference_parameters"):
            if getattr(self, name) <= 0:
                raise ValueError(f"hardware profile {self.name!r}: {name} must be positive, got {getattr(self, name)}")


DEFAULT_PROFILES: Mapping[str, ServingProfile] = {
    p.name: p
    for p in (
        ServingProfile("l4", "NVIDIA L4 24GB", 0.80, 1_500.0),
        ServingProfile("l40s", "NVIDIA L40S 48GB", 1.90, 4_000.0),
        ServingProfile("a100-40gb", "NVIDIA A100 40GB", 3.00, 5_000.0),
        ServingProfile("a100-80gb", "NVIDIA A100 80GB", 3.70, 5_500.0),
        ServingProfile("h100", "NVIDIA H100 80GB", 6.90, 11_000.0),
    )
}


def _check_parameters(parameters: int) -> None:
    if parameters <= 0:
        raise ValueError(f"parameters must be positive, got {parameters}")


def serve_tokens_per_s(profile: ServingProfile, parameters: int) -> float:
    _check_parameters(parameters)
    return profile.serve_tokens_per_s * profile.reference_parameters / parameters


def load_profiles(rows: Iterable[Mapping[str, Any]]) -> dict[str, ServingProfile]:
    """Profiles from configuration rows (e.g. JSON); an error names the row and field at fault."""
    profiles: dict[str, ServingProfile] = {}
    required = ("name", "gpu_type", "usd_per_gpu_hour", "serve_tokens_per_s")
    for i, row in enumerate(rows):
        missing = [key for key in required if key not in row]
        if missing:
            raise ValueError(f"hardware profile row {i}: missing {', '.join(missing)}")
        try:
            profile = ServingProfile(
                name=str(row["name"]),
                gpu_type=str(row["gpu_type"]),
                usd_per_gpu_hour=float(row["usd_per_gpu_hour"]),
                serve_tokens_per_s=float(row["serve_tokens_per_s"]),
                reference_parameters=int(row.get("reference_parameters", REFERENCE_PARAMETERS)),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"hardware profile row {i}: {exc}") from exc
        profiles[profile.name] = profile
    return profiles
