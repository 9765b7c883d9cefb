"""What an evaluation run produces: base and tuned side by side, per sample, plus the gate decision.

Plain dataclasses so the runner, the summary, the reports and the service all share one shape;
``to_dict`` gives the JSON-ready form stored with the evaluation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tuneline.evaluation.gate.decision import CapabilityScores, GateDecision
from tuneline.evaluation.metrics.classification import ClassScores, ConfusionMatrix


@dataclass(frozen=True)
class SampleOutput:
    output: str
    parsed: str
    score: float
    latency_s: float
    generated_tokens: int
    reason: str | None = None


@dataclass(frozen=True)
class SampleResult:
    record_id: str
    prompt: str
    reference: str
    base: SampleOutput
    tuned: SampleOutput


@dataclass(frozen=True)
class ModelPass:
    """Metrics of one model on the held-out split (and its general capability when the gate ran)."""

    metrics: dict[str, float]
    confusion: ConfusionMatrix | None = None
    per_class: dict[str, ClassScores] | None = None
    capability: CapabilityScores | None = None
    suite_answers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationOutcome:
    task: str
    primary_metric: str
    settings: dict[str, Any]
    base: ModelPass
    tuned: ModelPass
    samples: list[SampleResult]
    gate: GateDecision | None
    started_at: datetime
    finished_at: datetime
    model_kind: str = "causal"
    """"causal" (generated answers, forgetting gate) or "encoder" (a classification head: no gate applies)."""

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(dataclasses.asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
