"""Hardware profiles, and training duration and cost estimates that learn from finished jobs.

Throughput is kept as *effective* training FLOP/s (what a job really sustains, not the datasheet peak),
so one measured job on a profile improves estimates for every model size and method on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tuneline.training.estimate.memory import Method


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


def flops_per_token(params: int, method: Method) -> float:
    """Training FLOPs per token: forward 2N, backward 4N with weight grads (full) or 2N without (adapters).

    QLoRA pays ~25% more for dequantising the 4-bit weights in every matmul.
    """
    if method is Method.FULL:
        return 6.0 * params
    if method is Method.QLORA:
        return 4.0 * params * 1.25
    return 4.0 * params


@dataclass(frozen=True)
class DurationEstimate:
    tokens: int
    tokens_per_second: float
    seconds: float
    cost_usd: float


def estimate_duration(
    tokens_per_epoch: int, epochs: int, params: int, method: Method, profile: HardwareProfile
) -> DurationEstimate:
    if tokens_per_epoch < 0 or epochs < 1:
        raise ValueError("tokens_per_epoch must be >= 0 and epochs >= 1")
    tokens = tokens_per_epoch * epochs
    tokens_per_second = profile.effective_tflops * 1e12 / flops_per_token(params, method)
    seconds = tokens / tokens_per_second
    return DurationEstimate(tokens, tokens_per_second, seconds, seconds / 3600 * profile.usd_per_hour)


class HardwareTable:
    """The profiles in use; `record_job` folds a finished job's measured throughput in (EMA)."""

    def __init__(self, profiles: tuple[HardwareProfile, ...] = DEFAULT_PROFILES, smoothing: float = 0.3) -> None:
        if not 0 < smoothing <= 1:
            raise ValueError(f"smoothing must be in (0, 1], got {smoothing}")
        self._profiles = {p.name: p for p in profiles}
        self.smoothing = smoothing

    def names(self) -> list[str]:
        return sorted(self._profiles)

    def get(self, name: str) -> HardwareProfile:
        try:
            return self._profiles[name]
        except KeyError:
            raise KeyError(f"unknown hardware profile {name!r}; known: {', '.join(self.names())}") from None

    def record_job(self, name: str, params: int, method: Method, tokens: int, seconds: float) -> HardwareProfile:
        """Fold a finished job into the profile: new = (1 - a) * old + a * measured (a = smoothing)."""
        if tokens <= 0 or seconds <= 0:
            raise ValueError("tokens and seconds of a finished job must be > 0")
        profile = self.get(name)
        measured = tokens * flops_per_token(params, method) / seconds / 1e12
        alpha = self.smoothing
        updated = replace(
            profile,
            effective_tflops=(1 - alpha) * profile.effective_tflops + alpha * measured,
            measurements=profile.measurements + 1,
        )
        self._profiles[name] = updated
        return updated
