"""`tuneline deploy`: serve a version, canary weight, promote the canary, roll back."""

from __future__ import annotations

from typing import Annotated

import typer

from tuneline.cli.commands._shared import api_errors, console, sdk
from tuneline.sdk.registry import Deployment

app = typer.Typer(help="Deployments on Ray Serve: canary weights, promotion, rollback.", no_args_is_help=True)


def print_deployment(d: Deployment) -> None:
    canary = f"  canary v{d.canary_version} at {d.canary_weight:.0%}" if d.canary_version else ""
    console.print(
        f"[bold]{d.model}[/bold] {d.status}: stable v{d.stable_version}{canary}  endpoint {d.endpoint or '-'}"
    )
    if d.detail:
        console.print(f"  {d.detail}")


@app.command()
def show(name: str) -> None:
    with api_errors():
        print_deployment(sdk().registry.deployment(name))


@app.command()
def version(
    name: str,
    number: int,
    canary: Annotated[float | None, typer.Option(help="Start as a canary with this share of traffic (0-1).")] = None,
) -> None:
    """Serve a version (all traffic for a first deployment, else as a canary)."""
    with api_errors():
        print_deployment(sdk().registry.deploy(name, number, canary))


@app.command()
def weight(name: str, share: Annotated[float, typer.Argument(help="Canary share of traffic, 0-1.")]) -> None:
    """Set the canary's share of traffic."""
    with api_errors():
        print_deployment(sdk().registry.set_canary_weight(name, share))


@app.command()
def promote(name: str) -> None:
    """The canary takes all traffic."""
    with api_errors():
        print_deployment(sdk().registry.promote_canary(name))


@app.command()
def rollback(name: str, reason: Annotated[str, typer.Option(help="Why (recorded).")] = "manual rollback") -> None:
    """Move traffic back to the previous version."""
    with api_errors():
        print_deployment(sdk().registry.rollback(name, reason))
