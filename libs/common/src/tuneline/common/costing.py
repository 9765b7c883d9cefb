"""The one training cost and hardware model, shared by intake (a use case's estimate) and training (a job's).

Pure functions and dataclasses, no I/O: each service keeps its own measured figures (training in
``training_hardware_profile``, intake in ``cost_measured_throughput``) and folds finished jobs in with
:func:`fold_measurement`, so the same job moves both estimates the same way.

Throughput is kept as *effective* training FLOP/s (what a job really sustains, not the datasheet peak),
so one measured job on a profile improves estimates for every model size and method on it:

    tokens          = tokens_per_epoch × epochs
    tokens_per_s    = effective_tflops × 10¹² / flops_per_token(parameters, method)
    seconds         = tokens / tokens_per_s
    cost_usd        = seconds / 3600 × usd_per_hour
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

# The smoothing of the moving average a finished job is folded in with: new = (1 - a) × old + a × measured.
MEASUREMENT_SMOOTHING = 0.3


@dataclass(frozen=True)
class HardwareProfile:
    name: str
    kind: str  # "gpu" | "cpu"
    memory_gib: float
    usd_per_hour: float
    effective_tflops: float  # sustained training throughput, updated from measured jobs
    measurements: int = 0  # finished jobs folded into effective_tflops


# Starting points until measured jobs update them. GPU values: ~25-35% of the bf16/fp16 dense peak (typical
# for LoRA on small batches) and on-demand cloud list prices, late 2025; the CPU row was measured on this
# project's 2-core dev machine (SmolLM2-135M LoRA, bf16 autocast, 1 thread: ~145-160 tokens/s).
DEFAULT_PROFILES: tuple[HardwareProfile, ...] = (
    HardwareProfile("cpu-2core", "cpu", 24.0, 0.10, 0.08),
    HardwareProfile("nvidia-t4", "gpu", 16.0, 0.35, 15.0),
    HardwareProfile("nvidia-l4", "gpu", 24.0, 0.80, 30.0),
    HardwareProfile("nvidia-a10g", "gpu", 24.0, 1.01, 35.0),
    HardwareProfile("nvidia-a100-80gb", "gpu", 80.0, 3.67, 100.0),
    HardwareProfile("nvidia-h100-80gb", "gpu", 80.0, 4.50, 250.0),
)
DEFAULT_PROFILE_NAMES: tuple[str, ...] = tuple(p.name for p in DEFAULT_PROFILES)


def default_profile(name: str) -> HardwareProfile:
    """The built-in profile called ``name``; the error names the known ones."""
    for profile in DEFAULT_PROFILES:
        if profile.name == name:
            return profile
    raise KeyError(f"unknown hardware profile {name!r}; known: {', '.join(sorted(DEFAULT_PROFILE_NAMES))}")


def with_measurements(
    profiles: Iterable[HardwareProfile], measured: Mapping[str, tuple[float, int]]
) -> tuple[HardwareProfile, ...]:
    """The profiles with each measured one's (effective_tflops, measurements) in place of its starting figure."""
    return tuple(
        replace(p, effective_tflops=measured[p.name][0], measurements=measured[p.name][1]) if p.name in measured else p
        for p in profiles
    )


def flops_per_token(params: int, method: str) -> float:
    """Training FLOPs per token: forward 2N, backward 4N with weight grads (full) or 2N without (adapters).

    ``method`` is "full", "lora" or "qlora". QLoRA pays ~25% more for dequantising the 4-bit weights in every matmul.
    """
    if params <= 0:
        raise ValueError(f"parameters must be positive, got {params}")
    if method == "full":
        return 6.0 * params
    if method == "qlora":
        return 4.0 * params * 1.25
    if method == "lora":
        return 4.0 * params
    raise ValueError(f"unknown fine-tuning method {method!r}; known: full, lora, qlora")


@dataclass(frozen=True)
class DurationEstimate:
    tokens: int
    tokens_per_second: float
    seconds: float
    cost_usd: float


def estimate_duration(
    tokens_per_epoch: int, epochs: int, params: int, method: str, profile: HardwareProfile
) -> DurationEstimate:
    """How long and how much one training run of ``epochs`` over ``tokens_per_epoch`` takes on ``profile``."""
    if tokens_per_epoch < 0 or epochs < 1:
        raise ValueError("tokens_per_epoch must be >= 0 and epochs >= 1")
    tokens = tokens_per_epoch * epochs
    tokens_per_second = profile.effective_tflops * 1e12 / flops_per_token(params, method)
    seconds = tokens / tokens_per_second
    return DurationEstimate(tokens, tokens_per_second, seconds, seconds / 3600 * profile.usd_per_hour)


def fold_measurement(
    profile: HardwareProfile,
    *,
    params: int,
    method: str,
    tokens: int,
    seconds: float,
    smoothing: float = MEASUREMENT_SMOOTHING,
) -> HardwareProfile:
    """The profile with a finished job folded in: new = (1 - a) × old + a × measured (a = smoothing)."""
    if not 0 < smoothing <= 1:
        raise ValueError(f"smoothing must be in (0, 1], got {smoothing}")
    if tokens <= 0 or seconds <= 0:
        raise ValueError("tokens and seconds of a finished job must be > 0")
    measured = tokens * flops_per_token(params, method) / seconds / 1e12
    return replace(
        profile,
        effective_tflops=(1 - smoothing) * profile.effective_tflops + smoothing * measured,
        measurements=profile.measurements + 1,
    )
