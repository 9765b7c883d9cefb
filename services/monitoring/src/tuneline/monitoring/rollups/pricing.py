"""Configurable price table: what one request costs, per 1k tokens and/or per GPU-second.

Self-hosted models cost GPU time; hosted ones are billed per token. An entry can carry both. When the serving
side reports the GPU-seconds a request used they are billed as reported; otherwise the request is assumed to
hold `gpus_per_request` GPUs for its latency, which over-counts when a replica batches concurrent requests
(set gpus_per_request to 1 / typical concurrency to correct for that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tuneline.monitoring.rollups.observation import InferenceObservation

DEFAULT_ENTRY_KEY = "*"


@dataclass(frozen=True, slots=True)
class PriceEntry:
    per_1k_input_tokens: float = 0.0
    per_1k_output_tokens: float = 0.0
    per_gpu_second: float = 0.0
    gpus_per_request: float = 1.0

    def __post_init__(self) -> None:
        for name in ("per_1k_input_tokens", "per_1k_output_tokens", "per_gpu_second", "gpus_per_request"):
            if not (getattr(self, name) >= 0.0):
                raise ValueError(f"{name}: must be >= 0, got {getattr(self, name)!r}")


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Entries keyed by model name; the "*" entry prices models without their own entry."""

    entries: Mapping[str, PriceEntry]

    def entry_for(self, model: str) -> PriceEntry | None:
        return self.entries.get(model) or self.entries.get(DEFAULT_ENTRY_KEY)

    def cost_of(self, observation: InferenceObservation) -> float | None:
        """The request's cost in the table's currency, or None when no entry prices this model."""
        entry = self.entry_for(observation.model)
        if entry is None:
            return None
        gpu_seconds = (
            observation.gpu_seconds
            if observation.gpu_seconds is not None
            else observation.latency_ms / 1000.0 * entry.gpus_per_request
        )
        return (
            observation.tokens_in / 1000.0 * entry.per_1k_input_tokens
            + observation.tokens_out / 1000.0 * entry.per_1k_output_tokens
            + gpu_seconds * entry.per_gpu_second
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Mapping[str, Any]]) -> PriceTable:
        """Build from settings-style data, e.g. {"*": {"per_gpu_second": 0.0006}}; names the bad entry."""
        entries: dict[str, PriceEntry] = {}
        for model, fields in data.items():
            try:
                entries[model] = PriceEntry(**{k: float(v) for k, v in fields.items()})
            except (TypeError, ValueError) as error:
                raise ValueError(f"price_table[{model!r}]: {error}") from error
        return cls(entries=entries)
