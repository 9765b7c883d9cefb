"""`tuneline study`: create, list, show, cancel hyperparameter studies (their trials are training jobs)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from tuneline.cli.commands._shared import api_errors, console, fmt, sdk, table
from tuneline.sdk.training_studies import Study, Trial

app = typer.Typer(help="Hyperparameter studies: Optuna searches whose trials are training jobs.", no_args_is_help=True)


def _json_option(text: str | None, name: str) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--{name}: not valid JSON ({exc.msg}, column {exc.colno})") from None


@app.command()
def create(
    dataset_version_id: str,
    search: Annotated[
        str,
        typer.Option(
            help='JSON search space, e.g. {"learning_rate": {"low": 1e-5, "high": 1e-3}, '
            '"lora_rank": {"choices": [8, 16, 32]}}.'
        ),
    ],
    trials: Annotated[int, typer.Option(help="Trials to run at most.")] = 10,
    preset: Annotated[str, typer.Option(help="quick_start, balanced, quality_focused, cost_optimized.")] = "balanced",
    hyperparameters: Annotated[str | None, typer.Option(help='Fixed JSON overrides, e.g. {"epochs": 2}.')] = None,
    max_cost: Annotated[
        float | None,
        typer.Option(help="Cost cap in USD (estimates of unfinished trials plus measured cost of finished ones)."),
    ] = None,
    parallelism: Annotated[int, typer.Option(help="Trials queued at once.")] = 1,
    priority: Annotated[int, typer.Option(help="Queue priority of every trial (0-100).")] = 0,
    seed: Annotated[int | None, typer.Option(help="Seed of the TPE sampler (default: chosen).")] = None,
    pruning: Annotated[bool, typer.Option(help="Median pruning on validation loss.")] = True,
    pruning_startup: Annotated[int, typer.Option(help="Completed trials before any is pruned.")] = 2,
) -> None:
    """Start a study on a ready dataset version (with a validation split)."""
    with api_errors():
        study = sdk().training.create_study(
            dataset_version_id,
            _json_option(search, "search"),
            n_trials=trials,
            preset=preset,
            hyperparameters=_json_option(hyperparameters, "hyperparameters"),
            max_cost_usd=max_cost,
            parallelism=parallelism,
            priority=priority,
            seed=seed,
            pruning={"enabled": pruning, "startup_trials": pruning_startup},
        )
    console.print(
        f"[green]✓[/green] study {study.id} {study.status}: {study.trials_started} of {study.n_trials} trials queued "
        f"(seed {study.seed})"
    )


@app.command("list")
def list_(
    usecase: Annotated[str | None, typer.Option(help="Only this use case's studies.")] = None,
    status: Annotated[str | None, typer.Option(help="running, succeeded, failed, cancelled.")] = None,
    limit: Annotated[int, typer.Option()] = 50,
) -> None:
    with api_errors():
        studies = sdk().training.list_studies(usecase_id=usecase, status=status, limit=limit)
    rows = [
        [
            str(s.id),
            s.status,
            f"{s.trials_started}/{s.n_trials}",
            fmt(s.best_value, 4),
            str(s.best_job_id) if s.best_job_id else None,
            s.preset,
            s.created_at.isoformat(timespec="seconds"),
        ]
        for s in studies
    ]
    columns = ["id", "status", "trials", "best val loss", "best job", "preset", "created"]
    console.print(table("Hyperparameter studies", columns, rows))


@app.command()
def show(
    study_id: str,
    curves: Annotated[bool, typer.Option(help="Print every trial's validation-loss curve.")] = False,
) -> None:
    """A study with its trials: state, parameters, validation loss and cost."""
    with api_errors():
        study = sdk().training.get_study(study_id)
    print_study(study, curves=curves)


def print_study(study: Study, *, curves: bool = False) -> None:
    cap = f"  cap ${study.max_cost_usd:.4f}" if study.max_cost_usd is not None else ""
    cost = f"  cost ${study.cost_usd:.4f}" if study.cost_usd is not None else ""
    console.print(
        f"[bold]study {study.id}[/bold]  {study.status}  {study.trials_started}/{study.n_trials} trials{cost}{cap}"
    )
    console.print(f"preset {study.preset}  seed {study.seed}  search {json.dumps(study.search_space)}")
    if study.stop_reason:
        console.print(f"stopped: {study.stop_reason}")
    if study.best_trial is not None:
        best = study.best_trial
        console.print(
            f"[green]best: trial {best.number}, val loss {fmt(best.value, 4)}, job {best.job_id}[/green] "
            f"{json.dumps(best.params)}"
        )
    columns = ["trial", "state", "job", "params", "val loss", "evals", "cost $", "note"]
    console.print(table("Trials", columns, [_row(t) for t in study.trials]))
    if curves:
        for trial in study.trials:
            points = "  ".join(f"{p.step}:{p.val_loss:.4f}" for p in trial.curve) or "-"
            console.print(f"trial {trial.number} ({trial.state}): {points}")


def _row(trial: Trial) -> list[Any]:
    job = f"{trial.job_status} {str(trial.job_id)[:8]}" if trial.job_id else None
    state = f"{trial.state} ({trial.stop_reason})" if trial.stop_reason and trial.state != "pruned" else trial.state
    params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in trial.params.items())
    last = trial.curve[-1].val_loss if trial.curve else None
    cost = trial.cost_usd if trial.cost_usd is not None else trial.estimated_cost_usd
    return [trial.number, state, job, params, fmt(trial.value if trial.value is not None else last, 4),
            len(trial.curve), fmt(cost, 4), trial.note]  # fmt: skip


@app.command()
def cancel(study_id: str) -> None:
    """No more trials; the running ones stop; nothing goes to evaluation."""
    with api_errors():
        study = sdk().training.cancel_study(study_id)
    console.print(f"study {study.id}: {study.status}")
