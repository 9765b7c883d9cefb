"""What a training worker process reports to the training service, as typed messages.

The worker (a subprocess or a Ray task running the recipe) writes one JSON object per message; the service parses
each with ``parse_worker_message`` and reads fields, never ``.get("...")`` on a dict, so a renamed or missing
field fails at the boundary with the message's type and field, not as a silent default deep in the service.

- ``TrainingPhaseReport``: the run entered a phase (preparing data, loading the model, generating general-replay
  answers, training, evaluating, saving), with progress within it where it is countable (replay answers n/M);
- ``TrainingProgress``: a step, an evaluation or the end of training (loss, learning rate, throughput, ETA);
- ``TrainingCheckpoint``: a checkpoint stored under ``key`` at ``step``;
- ``TrainingResult``: how the run ended, the adapter's URI and ``TrainingMetadata`` (what ran, on what, how long).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from tuneline.common.records import PromptTemplate

RunStatus = Literal["completed", "early_stopped", "cancelled", "paused", "failed"]
#: What a running job is doing, in the order a run goes through them (a warm replay cache or a run without
#: replay passes generating_replay at once; evaluating is the final evaluation after the last step).
RunPhase = Literal["preparing_data", "loading_model", "generating_replay", "training", "evaluating", "saving"]
RUN_PHASES: tuple[RunPhase, ...] = (
    "preparing_data",
    "loading_model",
    "generating_replay",
    "training",
    "evaluating",
    "saving",
)


class TrainingPhaseReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["phase"] = "phase"
    phase: RunPhase = Field(description="The phase the run is in now.")
    done: int | None = Field(default=None, ge=0, description="Units of the phase done (replay answers), if counted.")
    total: int | None = Field(default=None, ge=0, description="Units the phase will take, if counted.")
    seconds_per_unit: float | None = Field(
        default=None, ge=0, description="Measured seconds per unit so far in this phase; None before one is done."
    )


class TrainingProgress(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["progress"] = "progress"
    step: int = Field(ge=0, description="Optimizer steps done.")
    total_steps: int = Field(ge=0, description="Optimizer steps the run will take.")
    epoch: float = Field(ge=0, description="Passes over the training set so far (fractional).")
    event: Literal["step", "eval", "end"] = Field(description="What this report follows.")
    train_loss: float | None = Field(default=None, description="Mean training loss of the recent steps.")
    val_loss: float | None = Field(default=None, description="Validation loss, on evaluation reports.")
    learning_rate: float | None = Field(default=None, description="Learning rate of the last step.")
    tokens_per_second: float | None = Field(default=None, description="Training throughput so far.")
    eta_seconds: float | None = Field(default=None, description="Estimated seconds to the end.")


class TrainingCheckpoint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["checkpoint"] = "checkpoint"
    step: int = Field(ge=0)
    key: str = Field(min_length=1, description="Object-store key of the checkpoint directory.")


class Durations(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    setup: float = Field(default=0.0, ge=0, description="Seconds to load the model and build examples.")
    train: float = Field(default=0.0, ge=0, description="Seconds of optimizer steps (throughput is learnt from it).")
    total: float = Field(default=0.0, ge=0, description="Wall-clock seconds of the whole run.")


class TrainingMetadata(BaseModel):
    """What a finished run records. Fields the service reads are typed; the rest of the recipe's record (device,
    precision, hyperparameters, data statistics, ...) is kept as extra fields for the job's history."""

    model_config = ConfigDict(extra="allow", frozen=True)

    status: RunStatus
    method: Literal["lora", "qlora", "full"] = Field(default="lora", description="The method that actually ran.")
    tokens_trained: int = Field(default=0, ge=0)
    labels: list[str] | None = Field(default=None, description="Label set shown in classification prompts.")
    prompt_template: PromptTemplate | None = Field(default=None, description="The template inputs were put in.")
    durations_s: Durations = Field(default_factory=Durations)
    final_metrics: dict[str, float | int | None] = Field(default_factory=dict)

    @property
    def numeric_metrics(self) -> dict[str, float]:
        return {name: float(value) for name, value in self.final_metrics.items() if value is not None}


class TrainingResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["result"] = "result"
    status: RunStatus
    adapter_uri: str | None = None
    metadata: TrainingMetadata

    @property
    def produced_adapter(self) -> bool:
        return self.status in ("completed", "early_stopped") and bool(self.adapter_uri)


WorkerMessage = Annotated[
    TrainingPhaseReport | TrainingProgress | TrainingCheckpoint | TrainingResult, Field(discriminator="type")
]
_MESSAGE: TypeAdapter[WorkerMessage] = TypeAdapter(WorkerMessage)


def parse_worker_message(message: Any) -> WorkerMessage:
    """One decoded worker message; pydantic's ValidationError names the message type and field at fault."""
    return _MESSAGE.validate_python(message)
