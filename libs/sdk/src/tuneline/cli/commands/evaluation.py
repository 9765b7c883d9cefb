"""`tuneline eval`: show an evaluation (base vs tuned, the gate's decision), download its report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tuneline.cli.commands._shared import api_errors, console, fmt, sdk, table
from tuneline.sdk.evaluation import Evaluation

app = typer.Typer(help="Evaluations: base vs tuned, the regression gate, reports.", no_args_is_help=True)


@app.command("list")
def list_(
    usecase: Annotated[str | None, typer.Option()] = None, job: Annotated[str | None, typer.Option()] = None
) -> None:
    with api_errors():
        found = sdk().evaluation.list_evaluations(usecase_id=usecase, job_id=job)
    rows = [[str(e.id), str(e.job_id), e.status, e.passed] for e in found]
    console.print(table("Evaluations", ["id", "job", "status", "passed"], rows))


@app.command()
def show(evaluation_id: str) -> None:
    with api_errors():
        evaluation = sdk().evaluation.get(evaluation_id)
    print_evaluation(evaluation)


def print_evaluation(e: Evaluation) -> None:
    verdict = "[green]passed[/green]" if e.passed else "[red]blocked[/red]" if e.passed is False else e.status
    console.print(f"[bold]evaluation {e.id}[/bold]  {verdict}")
    names = sorted(set(e.metrics_base) | set(e.metrics_tuned))
    rows = [[n, fmt(e.metrics_base.get(n)), fmt(e.metrics_tuned.get(n))] for n in names]
    rows += [[f"forgetting: {n}", "", fmt(v)] for n, v in e.forgetting.items()]
    console.print(table("Base vs tuned", ["metric", "base", "tuned"], rows))
    for reason in e.reasons:
        console.print(f"  • {reason}")


@app.command()
def report(
    evaluation_id: str,
    out: Annotated[Path, typer.Option(help="Where to save it.")] = Path("evaluation-report.html"),
    fmt_: Annotated[str, typer.Option("--format", help="html or json.")] = "html",
) -> None:
    """Download the evaluation report."""
    with api_errors():
        body = sdk().evaluation.report(evaluation_id, fmt_)
    out.write_bytes(body)
    console.print(f"[green]✓[/green] wrote {out} ({len(body)} bytes)")
