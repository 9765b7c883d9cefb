"""`tuneline job`: list, show, create, watch (live loss in the terminal), cancel."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.live import Live
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from tuneline.cli.commands._shared import api_errors, console, fmt, sdk, table
from tuneline.sdk.training import PHASE_WORDS, Job, TrainingClient, describe_phase

app = typer.Typer(help="Training jobs: queue, progress, live loss, control.", no_args_is_help=True)


@app.command("list")
def list_(
    usecase: Annotated[str | None, typer.Option(help="Only this use case's jobs.")] = None,
    status: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 50,
) -> None:
    with api_errors():
        jobs = sdk().training.list_jobs(usecase_id=usecase, status=status, limit=limit)
    rows = [
        [
            str(j.id),
            j.status,
            PHASE_WORDS.get(j.phase, j.phase),
            f"{j.step}/{j.total_steps}",
            fmt(j.train_loss),
            j.method_ran or j.method_requested,
            j.preset,
            j.created_at.isoformat(timespec="seconds"),
        ]
        for j in jobs
    ]
    console.print(
        table("Training jobs", ["id", "status", "phase", "step", "loss", "method", "preset", "created"], rows)
    )


@app.command()
def show(job_id: str) -> None:
    with api_errors():
        job = sdk().training.get_job(job_id)
    print_job(job)


def print_job(job: Job) -> None:
    console.print(
        f"[bold]job {job.id}[/bold]  {job.status}  step {job.step}/{job.total_steps} ({job.progress_percent:.0f}%)"
    )
    if job.phase and not job.finished:
        console.print(describe_phase(job.phase, job.phase_done, job.phase_total, job.eta_seconds))
    console.print(f"base model {job.base_model}  method {job.method_ran or job.method_requested}  preset {job.preset}")
    console.print(
        f"train loss {fmt(job.train_loss)}  val loss {fmt(job.val_loss)}  "
        f"duration {job.duration_seconds:.0f}s  adapter {job.adapter_uri or '-'}"
    )
    if job.metrics:
        console.print(f"metrics {json.dumps(job.metrics)}")
    if job.failure_reason:
        console.print(f"[red]failed: {job.failure_reason}[/red]")


@app.command()
def create(
    dataset_version_id: str,
    preset: Annotated[str, typer.Option(help="quick_start, balanced, quality_focused, cost_optimized.")] = "balanced",
    hyperparameters: Annotated[str | None, typer.Option(help='JSON overrides, e.g. {"epochs": 2}.')] = None,
) -> None:
    """Queue a training job for a ready dataset version."""
    with api_errors():
        overrides = json.loads(hyperparameters) if hyperparameters else None
        job = sdk().training.create_job(dataset_version_id, preset=preset, hyperparameters=overrides)
    console.print(f"[green]✓[/green] job {job.id} {job.status} ({job.total_steps} steps)")


@app.command()
def watch(job_id: str) -> None:
    """Follow a job live: a progress bar with the latest training and validation loss, until it ends."""
    with api_errors():
        client = sdk()
        final = follow(client.training, job_id)
    print_job(final)
    if final.status != "succeeded":
        raise typer.Exit(1)


def follow(training: TrainingClient, job_id: str) -> Job:
    """Live terminal view of a job (server-sent events), then its final state."""
    job = training.get_job(job_id)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[loss]}"),
    )
    bar = Progress(*columns, console=console)
    task = bar.add_task(f"job {str(job.id)[:8]} {job.status}", total=job.total_steps or None, loss="")
    with Live(bar, console=console, refresh_per_second=4):
        for update in training.stream(job_id):
            if update.point is not None:
                p = update.point
                loss = f"loss {fmt(p.train_loss)}" + (f"  val {fmt(p.val_loss)}" if p.val_loss is not None else "")
                bar.update(task, completed=p.step, loss=loss)
            elif update.kind == "phase" and update.phase is not None and update.phase != "training":
                # before the steps (replay answers n/M) and after them (evaluating, saving): say so on the bar
                words = describe_phase(update.phase, update.done, update.total, None)
                bar.update(task, description=f"job {str(job.id)[:8]} {words}")
            elif update.kind == "phase" and update.phase == "training":
                bar.update(task, description=f"job {str(job.id)[:8]} training")
            elif update.status is not None:
                bar.update(task, description=f"job {str(job.id)[:8]} {update.status}", completed=update.step or 0)
    return training.get_job(job_id)


@app.command()
def cancel(job_id: str) -> None:
    with api_errors():
        job = sdk().training.cancel(job_id)
    console.print(f"job {job.id}: {job.status}")
