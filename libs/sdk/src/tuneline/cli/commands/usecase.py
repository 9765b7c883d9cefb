"""`tuneline usecase`: list, show, create from a JSON file, submit, approve, erase."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from tuneline.cli.commands._shared import api_errors, console, fmt, sdk, table
from tuneline.sdk.intake import UseCaseErasure, load_form

app = typer.Typer(help="Use cases: the intake form, review and the portfolio.", no_args_is_help=True)


@app.command("list")
def list_(
    status: Annotated[list[str] | None, typer.Option(help="Only these statuses (repeat).")] = None,
    industry: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
) -> None:
    """The portfolio, ranked by RICE score."""
    with api_errors():
        items = sdk().intake.portfolio(status=status, industry=industry, limit=limit)
    rows = [
        [str(u.id), u.title, u.status, u.stage, fmt(u.rice_score, 1), u.recommended_approach, u.production_version]
        for u in items
    ]
    columns = ["id", "title", "status", "stage", "RICE", "approach", "prod version"]
    console.print(table("Use cases", columns, rows))


@app.command()
def show(usecase_id: str) -> None:
    """A use case with its decision, RICE score and what its form still lacks."""
    with api_errors():
        u = sdk().intake.get(usecase_id)
    console.print(f"[bold]{u.title}[/bold]  ({u.id})")
    console.print(f"status: {u.status}   stage: {u.stage or '-'}   submitter: {u.submitter}")
    console.print(f"recommended approach: {u.recommended_approach or '-'}   RICE: {fmt(u.rice_score, 1)}")
    console.print(f"next actions: {', '.join(u.allowed_actions) or '-'}")
    for problem in u.missing:
        console.print(f"[yellow]missing[/yellow] {problem.get('field')}: {problem.get('message')}")
    if u.decision_reason:
        console.print(f"decision by {u.decided_by}: {u.decision_reason}")


@app.command()
def create(
    form: Annotated[Path, typer.Argument(help="JSON file: the intake form or the architects' JSON template.")],
    submit: Annotated[bool, typer.Option(help="Submit for review right away.")] = False,
) -> None:
    """Create a draft use case from a JSON file."""
    with api_errors():
        client = sdk()
        usecase = client.intake.create(load_form(form))
        if submit:
            usecase = client.intake.submit(usecase.id)
    console.print(f"[green]✓[/green] {usecase.status}: {usecase.title} — id {usecase.id}")
    for problem in usecase.missing:
        console.print(f"[yellow]still missing[/yellow] {problem.get('field')}: {problem.get('message')}")


@app.command()
def submit(usecase_id: str) -> None:
    """Submit a complete draft for review."""
    with api_errors():
        usecase = sdk().intake.submit(usecase_id)
    console.print(f"[green]✓[/green] {usecase.title} is {usecase.status}")


@app.command()
def approve(usecase_id: str, reason: Annotated[str | None, typer.Option(help="Why.")] = None) -> None:
    """Approve (as a reviewer): publishes usecase.approved."""
    with api_errors():
        usecase = sdk().intake.approve(usecase_id, reason)
    console.print(f"[green]✓[/green] {usecase.title} is {usecase.status}")


@app.command()
def reject(usecase_id: str, reason: Annotated[str, typer.Option(help="Why (required).")]) -> None:
    """Reject (as a reviewer): publishes usecase.rejected."""
    with api_errors():
        client = sdk()
        if client.intake.get(usecase_id).status == "submitted":
            client.intake.start_review(usecase_id)
        usecase = client.intake.reject(usecase_id, reason)
    console.print(f"{usecase.title} is {usecase.status}")


@app.command()
def erase(
    usecase_id: str,
    reason: Annotated[str, typer.Option(help="Why (kept with the tombstone), e.g. 'GDPR art. 17 request #42'.")],
    wait: Annotated[float, typer.Option(help="Seconds to wait for every dataset's erasure to be confirmed.")] = 30,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a use case everywhere: retire it if live, its form and timeline, every dataset of it and what was
    derived from them (adapters, evaluation samples, logged prompts). This cannot be undone."""
    if not yes and not typer.confirm(f"Erase use case {usecase_id} and all its data? This cannot be undone"):
        raise typer.Exit(1)
    with api_errors():
        client = sdk()
        # The data service erases the datasets when usecase.erased reaches it; intake notes each one it erased.
        expected = {str(d.id) for d in client.data.list_datasets(usecase_id)} if wait > 0 else set()
        erasure = client.intake.erase(usecase_id, reason)
        deadline = time.monotonic() + wait
        while expected - {str(d.dataset_id) for d in erasure.datasets} and time.monotonic() < deadline:
            time.sleep(1)
            erasure = client.intake.erasure_report(usecase_id)
        print_usecase_erasure(erasure)
        for dataset in erasure.datasets if wait > 0 else []:
            report = client.data.wait_for_erasure(dataset.dataset_id, timeout_s=max(0.0, deadline - time.monotonic()))
            state = "complete" if report.complete else "pending: " + ", ".join(report.pending)
            console.print(f"dataset {dataset.dataset_id}: {state}")


@app.command()
def erasure(usecase_id: str) -> None:
    """An erased use case's tombstone and the datasets erased with it (`tuneline dataset erasure ID` for each)."""
    with api_errors():
        print_usecase_erasure(sdk().intake.erasure_report(usecase_id))


def print_usecase_erasure(erasure: UseCaseErasure) -> None:
    console.print(
        f"[green]use case {erasure.usecase_id} erased[/green] (was {erasure.status_before}) "
        f"by {erasure.erased_by} at {erasure.erased_at.isoformat(timespec='seconds')}: {erasure.reason}"
    )
    rows = [[str(d.dataset_id), str(d.erasure_id), d.report] for d in erasure.datasets]
    console.print(table("Datasets erased", ["dataset", "erasure", "report"], rows))


@app.command()
def timeline(usecase_id: str) -> None:
    """Everything the platform did for the use case, in order."""
    with api_errors():
        entries = sdk().intake.timeline(usecase_id)
    rows = [[e.occurred_at.isoformat(timespec="seconds"), e.type, e.producer, e.actor] for e in entries]
    console.print(table("Timeline", ["when", "event", "by service", "actor"], rows))


@app.command()
def template() -> None:
    """Print an example intake form to start from (the demo's maintenance-log use case)."""
    from tuneline.cli.demo.forms import classification_form

    typer.echo(json.dumps(classification_form(), indent=2))
