"""`tuneline model`: registered models, their versions, stage changes, model cards, inference keys."""

from __future__ import annotations

from typing import Annotated

import typer

from tuneline.cli.commands._shared import api_errors, console, sdk, table

app = typer.Typer(help="Registered models: versions, lifecycle stages, cards, keys.", no_args_is_help=True)


@app.command("list")
def list_(usecase: Annotated[str | None, typer.Option(help="Only this use case's models.")] = None) -> None:
    with api_errors():
        models = sdk().registry.models(usecase_id=usecase)
    rows = [[m.name, m.task_type, m.base_model, m.latest_version, m.production_version, m.usecase_id] for m in models]
    console.print(table("Models", ["name", "task", "base model", "latest", "production", "use case"], rows))


@app.command()
def versions(name: str) -> None:
    with api_errors():
        found = sdk().registry.versions(name)
    rows = []
    for v in found:
        evaluation = v.evaluation or {}
        rows.append(
            [
                v.version,
                v.stage,
                v.method,
                evaluation.get("passed"),
                v.job_id,
                v.created_at.isoformat(timespec="seconds"),
            ]
        )
    console.print(table(f"Versions of {name}", ["version", "stage", "method", "eval passed", "job", "created"], rows))


@app.command()
def promote(
    name: str,
    version: int,
    stage: Annotated[str, typer.Option(help="evaluation, staging, production, deprecated or archived.")] = "staging",
    reason: Annotated[str, typer.Option()] = "",
) -> None:
    """Move a version to another lifecycle stage."""
    with api_errors():
        v = sdk().registry.promote(name, version, stage, reason)
    console.print(f"[green]✓[/green] {name} v{v.version} is {v.stage}")


@app.command()
def card(name: str, version: int) -> None:
    """Print the model card (Markdown)."""
    with api_errors():
        typer.echo(sdk().registry.card(name, version))


@app.command()
def key(
    names: Annotated[
        list[str] | None, typer.Argument(help="Models the key may call (none: --fine-tuning only).")
    ] = None,
    label: Annotated[str, typer.Option("--name", help="What the key is for.")] = "cli",
    fine_tuning: Annotated[
        bool, typer.Option("--fine-tuning", help="Also drive the OpenAI fine-tuning API (/v1 on the registry).")
    ] = False,
    usecase: Annotated[
        str | None,
        typer.Option("--usecase", help="Bind the fine-tuning key to this use case (no OpenAI-Project header needed)."),
    ] = None,
) -> None:
    """Create a key scoped to these models (shown once); --fine-tuning lets it fine-tune through /v1 as you."""
    if not names and not fine_tuning:
        raise typer.BadParameter("name at least one model, or pass --fine-tuning", param_hint="NAMES")
    if usecase is not None and not fine_tuning:
        raise typer.BadParameter("only a --fine-tuning key is bound to a use case", param_hint="--usecase")
    with api_errors():
        created = sdk().registry.create_key(label, list(names or []), fine_tuning=fine_tuning, usecase_id=usecase)
    scope = ", ".join(created.models) or "the models it will fine-tune"
    extra = f" (fine-tuning as {', '.join(created.fine_tuning_roles)})" if created.fine_tuning_roles else ""
    console.print(f"[green]✓[/green] key {created.prefix} for {scope}{extra} — store it now:")
    typer.echo(created.key)
