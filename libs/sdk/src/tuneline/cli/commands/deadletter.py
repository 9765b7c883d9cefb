"""`tuneline deadletter`: list the messages services could not process, and replay them (admin)."""

from __future__ import annotations

from typing import Annotated

import httpx
import typer

from tuneline.cli.commands._shared import api_errors, console, sdk, table
from tuneline.sdk import DEFAULT_URLS

app = typer.Typer(help="Dead letters kept by each service: list and replay (admin role).", no_args_is_help=True)

ServiceOption = Annotated[
    list[str] | None, typer.Option("--service", "-s", help="Service(s) to ask; every service when omitted.")
]


@app.command("list")
def list_(
    service: ServiceOption = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only those not replayed yet.")] = False,
    topic: Annotated[str | None, typer.Option(help="Only messages of this topic.")] = None,
) -> None:
    """Dead letters of each service's consumers, newest first (payloads are never shown)."""
    client = sdk()
    rows = []
    unreachable = []
    for name in _services(service):
        with api_errors():
            try:
                letters = client.operations(name).dead_letters(pending=pending, topic=topic)
            except httpx.TransportError:
                unreachable.append(name)
                continue
        rows += [
            [
                name,
                str(d.id),
                d.created_at.isoformat(timespec="seconds"),
                d.original_topic,
                d.consumer_group,
                d.reason[:80],
                d.replayed_at.isoformat(timespec="seconds") if d.replayed_at else None,
            ]
            for d in letters
        ]
    console.print(table("Dead letters", ["service", "id", "at", "topic", "group", "reason", "replayed"], rows))
    for name in unreachable:
        console.print(f"[yellow]! {name} did not answer (is it up?)[/yellow]")


@app.command()
def replay(
    letter_id: Annotated[str | None, typer.Argument(help="The dead letter to replay.")] = None,
    service: ServiceOption = None,
    all_pending: Annotated[bool, typer.Option("--all", help="Replay every one not replayed yet.")] = False,
    topic: Annotated[str | None, typer.Option(help="With --all: only messages of this topic.")] = None,
) -> None:
    """Re-publish dead letters to their original topics; consumers that already had them drop the repeat."""
    if (letter_id is None) == (not all_pending):
        console.print("[red]✗ give one dead letter id, or --all[/red]")
        raise typer.Exit(2)
    names = _services(service)
    client = sdk()
    if letter_id is not None:
        if len(names) != 1:
            console.print("[red]✗ name the service that holds it: --service <name> (see `tuneline deadletter list`)")
            raise typer.Exit(2)
        with api_errors():
            letter = client.operations(names[0]).replay_dead_letter(letter_id)
        console.print(f"[green]✓[/green] {letter.id} queued again for {letter.original_topic}")
        return
    for name in names:
        with api_errors():
            ids = client.operations(name).replay_pending_dead_letters(topic=topic)
        console.print(f"[green]✓[/green] {name}: {len(ids)} dead letter(s) queued again")


def _services(chosen: list[str] | None) -> list[str]:
    names = chosen or list(DEFAULT_URLS)
    unknown = [n for n in names if n not in DEFAULT_URLS]
    if unknown:
        console.print(f"[red]✗ unknown service(s) {', '.join(unknown)}; known: {', '.join(DEFAULT_URLS)}[/red]")
        raise typer.Exit(2)
    return names
