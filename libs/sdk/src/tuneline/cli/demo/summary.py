"""The table printed at the end of the demo: each stage, its time and outcome, the key figures."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tuneline.cli.demo.lifecycle import Outcome, Stage

_STYLE = {"ok": "green", "blocked": "red", "skipped": "yellow"}


def stage_table(stages: list[Stage]) -> Table:
    table = Table(title="Tuneline demo: the lifecycle")
    for column in ("stage", "status", "seconds", "detail"):
        table.add_column(column)
    for s in stages:
        style = _STYLE.get(s.status, "white")
        table.add_row(s.name, f"[{style}]{s.status}[/{style}]", f"{s.seconds:.1f}", s.detail[:160])
    return table


def metrics_table(outcome: Outcome) -> Table | None:
    evaluation = outcome.evaluation
    if evaluation is None:
        return None
    base, tuned = evaluation.metrics_base, evaluation.metrics_tuned
    verdict = "passed" if evaluation.passed else "blocked"
    table = Table(title=f"Evaluation {evaluation.id}: base vs tuned ({verdict} the gate)")
    for column in ("metric", "base", "tuned"):
        table.add_column(column)
    for name in sorted(set(base) | set(tuned)):
        table.add_row(name, _num(base.get(name)), _num(tuned.get(name)))
    for name, value in evaluation.forgetting.items():
        table.add_row(f"forgetting: {name}", "", _num(value))
    return table


def _num(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) else "-"


def print_summary(console: Console, stages: list[Stage], outcome: Outcome) -> None:
    console.print(stage_table(stages))
    metrics = metrics_table(outcome)
    if metrics is not None:
        console.print(metrics)
    if outcome.upload_started_at and outcome.first_answer_at:
        minutes = (outcome.first_answer_at - outcome.upload_started_at) / 60
        console.print(f"time to model (upload → first served answer): [bold]{minutes:.1f} min[/bold]")
    if outcome.deployment is not None:
        console.print(f"served at: [bold]{outcome.deployment.endpoint}[/bold] (model {outcome.model_name})")
    if outcome.served_accuracy is not None:
        console.print(f"served accuracy on {outcome.served_requests} new entries: {outcome.served_accuracy:.0%}")
    if outcome.trace_id:
        console.print(f"trace to follow (approval → data → training …): [bold]{outcome.trace_id}[/bold]")
    if outcome.usecase_id:
        console.print(f"use case: {outcome.usecase_id} — `tuneline usecase timeline {outcome.usecase_id}`")
