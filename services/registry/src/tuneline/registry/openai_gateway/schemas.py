"""Request models of the /v1 fine-tuning API (responses are OpenAI's plain JSON objects, built in mapping.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Method(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["supervised"] = Field(description="Only supervised fine-tuning (LoRA) is offered.")
    supervised: dict[str, Any] | None = Field(default=None, description="{'hyperparameters': {...}}")


class CreateFineTuningJob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="Base model to fine-tune (see TUNELINE_OPENAI_FINE_TUNE_MODELS).")
    training_file: str = Field(description="A file id from /v1/files.")
    validation_file: str | None = None
    hyperparameters: dict[str, Any] | None = Field(
        default=None, description="n_epochs, batch_size, learning_rate_multiplier: each a number or 'auto'."
    )
    method: Method | None = None
    suffix: str | None = Field(default=None, max_length=64)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    metadata: dict[str, str] | None = Field(default=None, max_length=16)
    integrations: list[Any] | None = None

    def all_hyperparameters(self) -> dict[str, Any]:
        """Top-level hyperparameters (deprecated by OpenAI) with method.supervised.hyperparameters on top."""
        merged = dict(self.hyperparameters or {})
        if self.method and self.method.supervised:
            merged.update(self.method.supervised.get("hyperparameters") or {})
        return merged
