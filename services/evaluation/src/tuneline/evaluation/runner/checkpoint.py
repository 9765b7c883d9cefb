"""Per-pass checkpoints, so an evaluation interrupted after its base pass resumes with the tuned pass.

A pass (base or tuned) is saved as JSON once it is done, tagged with a fingerprint of the config and the
held-out rows; a resumed run reuses a saved pass only when the fingerprint matches, so a changed config or
split is never mixed with stale results.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tuneline.evaluation.gate.decision import CapabilityScores
from tuneline.evaluation.metrics.classification import ClassificationReport, ClassScores, ConfusionMatrix
from tuneline.evaluation.results import ModelPass
from tuneline.evaluation.runner.config import EvalConfig
from tuneline.evaluation.runner.generation import Generation
from tuneline.evaluation.scoring.task_metrics import TaskMetrics


class PassStore(Protocol):
    """Where finished passes are kept (the runner backs it with object storage)."""

    def load(self, name: str) -> dict[str, Any] | None: ...

    def save(self, name: str, data: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class PassOutput:
    metrics: TaskMetrics
    generations: list[Generation]
    model_pass: ModelPass


def fingerprint(config: EvalConfig, rows: Sequence[Mapping[str, Any]]) -> str:
    digest = hashlib.sha256(json.dumps(dataclasses.asdict(config), sort_keys=True, default=str).encode())
    digest.update(json.dumps(list(rows), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def pass_to_dict(output: PassOutput, tag: str) -> dict[str, Any]:
    return {"fingerprint": tag, **dataclasses.asdict(output)}


def pass_from_dict(data: Mapping[str, Any], tag: str) -> PassOutput | None:
    """None when the saved pass belongs to another config or split."""
    if data.get("fingerprint") != tag:
        return None
    metrics = data["metrics"]
    report = metrics["classification"]
    model_pass = data["model_pass"]
    return PassOutput(
        metrics=TaskMetrics(
            metrics=metrics["metrics"],
            primary_metric=metrics["primary_metric"],
            sample_scores=metrics["sample_scores"],
            parsed_predictions=metrics["parsed_predictions"],
            reasons=metrics["reasons"],
            classification=_report(report) if report else None,
        ),
        generations=[Generation(**g) for g in data["generations"]],
        model_pass=ModelPass(
            metrics=model_pass["metrics"],
            confusion=ConfusionMatrix(**model_pass["confusion"]) if model_pass["confusion"] else None,
            per_class=_per_class(model_pass["per_class"]) if model_pass["per_class"] else None,
            capability=CapabilityScores(**model_pass["capability"]) if model_pass["capability"] else None,
            suite_answers=model_pass["suite_answers"],
        ),
    )


def _per_class(data: Mapping[str, Mapping[str, Any]]) -> dict[str, ClassScores]:
    return {label: ClassScores(**scores) for label, scores in data.items()}


def _report(data: Mapping[str, Any]) -> ClassificationReport:
    return ClassificationReport(
        accuracy=data["accuracy"],
        macro_precision=data["macro_precision"],
        macro_recall=data["macro_recall"],
        macro_f1=data["macro_f1"],
        per_class=_per_class(data["per_class"]),
        confusion=ConfusionMatrix(**data["confusion"]),
    )
