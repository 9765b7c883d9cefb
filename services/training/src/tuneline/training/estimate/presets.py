"""Named starting points for people who do not want to pick hyperparameters.

| preset          | epochs | batch | grad acc | LoRA r | lr   | eval / patience | for                                  |
|-----------------|--------|-------|----------|--------|------|-----------------|--------------------------------------|
| quick_start     | 1      | 4     | 1        | 8      | auto | 50 / off        | a first run to see the pipeline work |
| balanced        | 3      | 8     | 1        | 16     | auto | 50 / 3          | the default quality/speed trade-off  |
| quality_focused | 5      | 8     | 2        | 32     | 2e-4 | 25 / 5          | best quality; slower, lower lr       |
| cost_optimized  | 2      | 16    | 1        | 8      | auto | 100 / 2         | fewest GPU-hours: big batches, QLoRA |

"auto" learning rate: see hyperparameters.resolve. Cost-optimized prefers QLoRA, which only runs on CUDA.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tuneline.training.estimate.hyperparameters import Hyperparameters
from tuneline.training.estimate.memory import Method


class Preset(StrEnum):
    QUICK_START = "quick_start"
    BALANCED = "balanced"
    QUALITY_FOCUSED = "quality_focused"
    COST_OPTIMIZED = "cost_optimized"


_VALUES: dict[Preset, dict[str, Any]] = {
    Preset.QUICK_START: {"epochs": 1, "batch_size": 4, "lora_rank": 8, "eval_interval": 50},
    Preset.BALANCED: {
        "epochs": 3,
        "batch_size": 8,
        "lora_rank": 16,
        "lora_dropout": 0.0,
        "eval_interval": 50,
        "early_stopping_patience": 3,
    },
    Preset.QUALITY_FOCUSED: {
        "epochs": 5,
        "batch_size": 8,
        "grad_accumulation": 2,
        "lora_rank": 32,
        "learning_rate": 2e-4,
        "eval_interval": 25,
        "early_stopping_patience": 5,
        "checkpoint_interval": 50,
    },
    Preset.COST_OPTIMIZED: {
        "epochs": 2,
        "batch_size": 16,
        "lora_rank": 8,
        "eval_interval": 100,
        "early_stopping_patience": 2,
        "checkpoint_interval": 200,
    },
}
#: The preset the API starts from when a request names none.
DEFAULT_PRESET = Preset.BALANCED
#: What each preset is for, in a person's words (the table above; GET /presets serves them).
TITLES: dict[Preset, str] = {
    Preset.QUICK_START: "Quick start",
    Preset.BALANCED: "Balanced",
    Preset.QUALITY_FOCUSED: "Quality focused",
    Preset.COST_OPTIMIZED: "Cost optimized",
}
PURPOSES: dict[Preset, str] = {
    Preset.QUICK_START: "a first run to see the pipeline work",
    Preset.BALANCED: "the default quality/speed trade-off",
    Preset.QUALITY_FOCUSED: "best quality; slower, lower learning rate",
    Preset.COST_OPTIMIZED: "fewest GPU-hours: big batches, QLoRA",
}
PREFERRED_METHOD: dict[Preset, Method] = {
    Preset.QUICK_START: Method.LORA,
    Preset.BALANCED: Method.QLORA,
    Preset.QUALITY_FOCUSED: Method.LORA,
    Preset.COST_OPTIMIZED: Method.QLORA,
}


def preset_values(preset: Preset) -> dict[str, Any]:
    """The values a preset sets itself (every other field keeps the Hyperparameters default)."""
    return dict(_VALUES[preset])


def preset_hyperparameters(
    preset: Preset | str, overrides: dict[str, Any] | None = None, model_params: int | None = None
) -> Hyperparameters:
    """The preset's values with a person's overrides on top, validated together."""
    try:
        chosen = Preset(preset)
    except ValueError:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(p.value for p in Preset)}") from None
    context = {"model_params": model_params} if model_params is not None else None
    return Hyperparameters.model_validate({**_VALUES[chosen], **(overrides or {})}, context=context)
