"""`tuneline eval`: show an evaluation (base vs tuned, the gate's decision), download its report."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tuneline.cli.commands._shared import api_errors, console, fmt, sdk, table
from tuneline.sdk.evaluation import REPORT_FORMATS, Evaluation, report_format_of

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


class ReportFormat(StrEnum):
    html = "html"
    json = "json"
    pdf = "pdf"
    xlsx = "xlsx"


@app.command()
def report(
    evaluation_id: str,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write; default evaluation-<id>.<format> in this folder."),
    ] = None,
    fmt_: Annotated[
        ReportFormat | None,
        typer.Option("--format", "-f", help="html, json, pdf or xlsx (Excel); default: --out's suffix, else html."),
    ] = None,
) -> None:
    """Download the evaluation report (HTML, JSON, PDF or Excel) into a file."""
    with api_errors():
        if fmt_ is None:
            fmt = report_format_of(out) if out is not None and out.suffix else ReportFormat.html.value
        else:
            fmt = fmt_.value
            if out is not None and out.suffix.lower().lstrip(".") in REPORT_FORMATS and report_format_of(out) != fmt:
                raise ValueError(f"--out {out.name} names a .{report_format_of(out)} file but --format is {fmt}")
        target = out if out is not None else Path(f"evaluation-{evaluation_id}.{fmt}")
        written = sdk().evaluation.save_report(evaluation_id, target, fmt)
    console.print(f"[green]✓[/green] wrote {written} ({written.stat().st_size} bytes, {fmt})")
