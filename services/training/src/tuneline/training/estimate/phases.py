"""The parts of a run besides its optimizer steps that an estimate must count: general-replay answers the base
model generates once per base model (when its cache is cold), and saving the adapter.

Generation is modelled from the same measured training throughput as the steps (``effective_tflops`` of the
profile, folded in from finished jobs), scaled by how much less of it greedy decoding in small batches
sustains, with a floor for the per-token latency that dominates on an accelerator:

    seconds per answer = max(new tokens × 2 N / (effective FLOP/s × GENERATION_EFFICIENCY),
                             new tokens × TOKEN_LATENCY_S / batch)

GENERATION_EFFICIENCY was measured on the 2-core dev machine (SmolLM2-135M, 64 answers of up to 96 new tokens in
batches of 8, fp32: ~2 s per answer = 0.17 of the training throughput at 0.08 TFLOP/s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tuneline.common.costing import HardwareProfile

GENERATION_EFFICIENCY = 0.17
TOKEN_LATENCY_S = 0.015
"""Seconds per decoding step of a small model on an accelerator (kernel launches, not FLOPs, bound it)."""
REPLAY_BATCH = 8
SAVE_SECONDS = {"cpu": 5.0, "gpu": 5.0}
"""Writing the LoRA adapter and uploading it to the object store: a few MB, a few seconds (measured ~1-3 s)."""

ReplayCache = Literal["off", "warm", "cold"]


@dataclass(frozen=True)
class ReplayPlan:
    """What the general replay will cost a run before its first step."""

    cache: ReplayCache
    answers: int
    """Answers to generate: every replay prompt when the cache is cold, else 0."""
    seconds_per_answer: float
    seconds: float

    @property
    def note(self) -> str | None:
        if self.cache == "cold":
            return (
                f"includes generating {self.answers} general-replay answers with the base model "
                f"(~{self.seconds:.0f} s, {self.seconds_per_answer:.2f} s each): its replay cache is cold; "
                "paid once per base model"
            )
        if self.cache == "warm":
            return "general-replay answers are cached for this base model: no generation"
        return None


def seconds_per_answer(params: int, profile: HardwareProfile, new_tokens: int) -> float:
    flops = new_tokens * 2.0 * params / (profile.effective_tflops * 1e12 * GENERATION_EFFICIENCY)
    latency = new_tokens * TOKEN_LATENCY_S / REPLAY_BATCH
    return max(flops, latency)


def replay_plan(
    *, replay: bool, cache_warm: bool, prompts: int, params: int, profile: HardwareProfile, new_tokens: int
) -> ReplayPlan:
    """The replay cost of a run with (or without) general replay, given whether its cache is already warm."""
    rate = seconds_per_answer(params, profile, new_tokens)
    if not replay:
        return ReplayPlan("off", 0, rate, 0.0)
    if cache_warm:
        return ReplayPlan("warm", 0, rate, 0.0)
    return ReplayPlan("cold", prompts, rate, prompts * rate)


def save_seconds(profile: HardwareProfile) -> float:
    return SAVE_SECONDS.get(profile.kind, 5.0)
