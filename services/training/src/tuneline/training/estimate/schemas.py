"""What GET /presets answers: the presets and every hyperparameter with the range the service enforces."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from tuneline.training.estimate.presets import Preset


class HyperparameterSpec(BaseModel):
    name: str = Field(description="The key in a job's `hyperparameters`.")
    title: str = Field(description="The field's name in words.")
    description: str = Field(description="What the value changes.")
    type: Literal["integer", "number", "modules"] = Field(
        description='"modules": "all-linear" or a list of module names.'
    )
    default: Any = Field(description="The value when neither the preset nor the request sets it.")
    minimum: float | None = Field(description="Smallest allowed value (inclusive); null where no range applies.")
    maximum: float | None = Field(description="Largest allowed value (inclusive); null where no range applies.")
    minimum_small_model: float | None = Field(
        default=None,
        description="The smallest allowed value for base models under `small_model_params` parameters, where it "
        "differs (max_seq_len).",
    )
    auto: str | None = Field(
        default=None, description='What "auto" resolves to, where the field accepts "auto"; null otherwise.'
    )


class PresetSpec(BaseModel):
    name: Preset
    title: str = Field(description="The preset's name in words.")
    purpose: str = Field(description="What the preset is for.")
    method: Literal["lora", "qlora", "full"] = Field(
        description="The method the preset is designed for (QLoRA runs only on CUDA; elsewhere LoRA runs)."
    )
    values: dict[str, Any] = Field(description="The hyperparameters the preset sets itself.")
    hyperparameters: dict[str, Any] = Field(
        description='Every hyperparameter a job from this preset starts with (its values over the defaults; "auto" '
        "resolves when the job is queued)."
    )


class PresetsResponse(BaseModel):
    default_preset: Preset = Field(description="The preset a job request that names none starts from.")
    presets: list[PresetSpec]
    hyperparameters: list[HyperparameterSpec] = Field(
        description="Every hyperparameter a request may override, in the order the service declares them."
    )
    small_model_params: int = Field(description="Base models below this parameter count may use shorter sequences.")
