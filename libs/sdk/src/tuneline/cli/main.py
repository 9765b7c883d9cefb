"""The `tuneline` command line."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tuneline.cli import stack as stack_mod
from tuneline.cli.commands import alert, dataset, deadletter, deploy, evaluation, job, model, study, usecase

app = typer.Typer(help="Tuneline: from an industry use case to a fine-tuned model in production.", no_args_is_help=True)
app.add_typer(usecase.app, name="usecase")
app.add_typer(dataset.app, name="dataset")
app.add_typer(dataset.app, name="data", hidden=True)  # `tuneline data erase ...` reads naturally too
app.add_typer(job.app, name="job")
app.add_typer(study.app, name="study")
app.add_typer(evaluation.app, name="eval")
app.add_typer(model.app, name="model")
app.add_typer(deploy.app, name="deploy")
app.add_typer(alert.app, name="alert")
app.add_typer(deadletter.app, name="deadletter")
console = Console()

DataDir = Annotated[
    Path, typer.Option("--data-dir", envvar="TUNELINE_DATA_DIR", help="Where the embedded stack keeps its data.")
]


@app.command()
def up(
    data_dir: DataDir = Path(".tuneline"),
    base_port: Annotated[int, typer.Option(help="Port of the first service (intake); the others follow.")] = 8101,
    kafka_port: Annotated[int, typer.Option(help="Port of the embedded Kafka broker.")] = 9092,
    serving_port: Annotated[int, typer.Option(help="Port of the Ray Serve HTTP proxy (inference /v1).")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", envvar="TUNELINE_DATABASE_URL", help="Use this PostgreSQL instead of the embedded one."
        ),
    ] = None,
    kafka: Annotated[
        str | None,
        typer.Option(
            "--kafka",
            envvar="TUNELINE_KAFKA_BOOTSTRAP_SERVERS",
            help="Use these bootstrap servers instead of the embedded broker.",
        ),
    ] = None,
    object_store_url: Annotated[
        str | None,
        typer.Option(
            "--object-store",
            envvar="TUNELINE_OBJECT_STORE_URL",
            help="file:///dir or s3://bucket instead of <data-dir>/objects.",
        ),
    ] = None,
    services: Annotated[
        str | None, typer.Option(help="Comma-separated services to run (default: every installed service).")
    ] = None,
    workers: Annotated[bool, typer.Option(help="Also run the training worker and evaluation runner.")] = True,
    console_port: Annotated[
        int, typer.Option(envvar="TUNELINE_CONSOLE_PORT", help="Port of the web console (0: do not serve it).")
    ] = 8100,
    console_dir: Annotated[
        Path, typer.Option(envvar="TUNELINE_CONSOLE_DIR", help="The console's build (`make setup` makes it).")
    ] = Path("console/dist"),
    detach_after_ready: Annotated[
        bool, typer.Option("--exit-when-ready", help="Stop everything once all are ready (a smoke check).")
    ] = False,
) -> None:
    """Bring the whole platform up on this machine and keep it up until Ctrl-C or `tuneline down`."""
    config = stack_mod.StackConfig(
        data_dir=data_dir,
        base_port=base_port,
        kafka_port=kafka_port,
        serving_port=serving_port,
        database_url=database_url,
        kafka_bootstrap=kafka,
        object_store_url=object_store_url,
        services=_services(services),
        workers=workers,
        console_port=console_port or None,
        console_dir=console_dir,
    )
    problems = stack_mod.preflight(config)
    if problems:
        for p in problems:
            console.print(f"[red]✗[/red] {p}")
        raise typer.Exit(2)
    try:
        running = stack_mod.start(config, lambda m: console.print(f"[green]✓[/green] {m}"))
    except stack_mod.InfraError as exc:
        console.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(1) from exc
    table = Table(title="Tuneline is up")
    table.add_column("process")
    table.add_column("listens on")
    table.add_column("API docs")
    table.add_column("log")
    for proc in running.processes:
        docs = f"{proc.url}/docs" if proc.url and proc.name != "console" else "-"
        table.add_row(proc.name, proc.url or "-", docs, str(proc.log))
    console.print(table)
    console.print(
        f"PostgreSQL: {running.database_url}\nKafka: {running.kafka_bootstrap}\nObjects: {running.object_store_url}"
    )
    console.print("Get a token: [bold]tuneline token --roles admin[/bold]. Stop: Ctrl-C or [bold]tuneline down[/bold].")
    code = 0
    try:
        if not detach_after_ready:
            code = stack_mod.supervise(running, lambda m: console.print(f"[yellow]![/yellow] {m}"))
    finally:
        stack_mod.stop(running, lambda m: console.print(f"  {m}"))
    raise typer.Exit(code)


def _services(option: str | None) -> tuple[str, ...]:
    if option is not None:
        return tuple(s.strip() for s in option.split(",") if s.strip())
    chosen = stack_mod.runnable_services()
    for service in stack_mod.SERVICES:
        if service not in chosen:
            console.print(f"[yellow]![/yellow] {service}: no entry point (python -m tuneline.{service}); not started")
    return chosen


@app.command()
def demo(
    data_dir: DataDir = Path(".tuneline"),
    base_port: Annotated[int, typer.Option(help="Port of the first service (intake); the others follow.")] = 8101,
    kafka_port: Annotated[int, typer.Option(help="Port of the embedded Kafka broker.")] = 9092,
    serving_port: Annotated[int, typer.Option(help="Port of the Ray Serve HTTP proxy (inference).")] = 8000,
    teardown: Annotated[bool, typer.Option("--teardown", help="Stop the stack at the end.")] = False,
    records: Annotated[
        int | None, typer.Option(help="Maintenance-log entries in the bundled dataset (default: the demo's 320).")
    ] = None,
    epochs: Annotated[
        int | None, typer.Option(help="Training epochs (default 1: 320 records ≈ 40 steps of batch 8 with replay).")
    ] = None,
) -> None:
    """The whole lifecycle on the embedded stack: use case → data → training → evaluation → serving → drift."""
    from tuneline.cli.demo.command import run_demo
    from tuneline.cli.demo.lifecycle import DemoSizes

    config = stack_mod.StackConfig(
        data_dir=data_dir,
        base_port=base_port,
        kafka_port=kafka_port,
        serving_port=serving_port,
        services=_services(None),
    )
    sizes = DemoSizes()
    sizes.records = records if records is not None else sizes.records
    sizes.epochs = epochs if epochs is not None else sizes.epochs
    raise typer.Exit(run_demo(config, console, sizes, teardown))


@app.command()
def down(data_dir: DataDir = Path(".tuneline")) -> None:
    """Stop the stack started by `tuneline up` from the same data directory."""
    if stack_mod.down(data_dir):
        console.print("stopped")
    else:
        console.print("no running stack found")


@app.command()
def status(data_dir: DataDir = Path(".tuneline")) -> None:
    """Processes of the stack started from `data_dir`: state, pid and how often the supervisor restarted each."""
    state = stack_mod.status(data_dir)
    if state is None:
        console.print("no stack found (start one with `tuneline up`)")
        raise typer.Exit(1)
    table = Table(title=f"Tuneline stack (supervisor pid {state['supervisor_pid']})")
    for column in ("process", "state", "pid", "restarts", "last exit", "log"):
        table.add_column(column)
    for p in state["processes"]:
        last = p.get("last_exit_code")
        table.add_row(
            p["name"],
            p.get("state", "running"),
            str(p["pid"]),
            str(p.get("restarts", 0)),
            "-" if last is None else str(last),
            p["log"],
        )
    console.print(table)
    if not state["supervisor_alive"]:
        console.print("[red]✗ the supervisor is not running[/red]: `tuneline down` stops what it left")
        raise typer.Exit(1)
    if any(p.get("state") == "crash-loop" for p in state["processes"]):
        raise typer.Exit(1)


@app.command()
def token(
    roles: Annotated[
        str, typer.Option(help="Comma-separated roles: admin, data_owner, ml_engineer, reviewer, viewer, sre, service.")
    ] = "admin",
    subject: Annotated[str, typer.Option(help="Subject (user or service account).")] = "dev@tuneline.local",
    team: Annotated[str | None, typer.Option(help="Team the subject belongs to.")] = None,
    hours: Annotated[float, typer.Option(help="Validity in hours.")] = 12.0,
    data_dir: DataDir = Path(".tuneline"),
) -> None:
    """Mint a bearer token from the development issuer (TUNELINE_JWT_SECRET, else the secret `tuneline up`
    generated in its data directory)."""
    from tuneline.common.auth import AuthError, mint_token
    from tuneline.common.settings import ConfigurationError, ServiceSettings, load_settings

    try:
        settings = load_settings(ServiceSettings, state_dir=str(data_dir))
        typer.echo(
            mint_token(
                settings,
                subject,
                [r.strip() for r in roles.split(",") if r.strip()],
                ttl=timedelta(hours=hours),
                team=team,
            )
        )
    except (AuthError, ConfigurationError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def catalogue(
    docs_dir: Annotated[Path, typer.Option(help="Where docs/asyncapi.json and docs/events.md live.")] = Path("docs"),
    check: Annotated[bool, typer.Option(help="Exit non-zero when the checked-in documents are out of date.")] = False,
) -> None:
    """Generate the event catalogue (AsyncAPI + Markdown) from the event models."""
    import json

    from tuneline.common.catalogue import build_asyncapi, render_markdown, write

    if check:
        stale = []
        spec = docs_dir / "asyncapi.json"
        if not spec.exists() or json.loads(spec.read_text()) != build_asyncapi():
            stale.append(str(spec))
        md = docs_dir / "events.md"
        if not md.exists() or md.read_text() != render_markdown():
            stale.append(str(md))
        if stale:
            console.print(f"[red]out of date: {', '.join(stale)}[/red] — run `tuneline catalogue`")
            raise typer.Exit(1)
        console.print("event catalogue is up to date")
        return
    for path in write(docs_dir):
        console.print(f"wrote {path}")


@app.command()
def docs(
    docs_dir: Annotated[Path, typer.Option(help="The docs directory.")] = Path("docs"),
    check: Annotated[bool, typer.Option(help="Exit non-zero when the checked-in documents are out of date.")] = False,
) -> None:
    """Generate docs/configuration.md, docs/api.md and docs/openapi/*.json from the code."""
    import json

    from tuneline.cli.docs import SERVICE_SETTINGS, render_api_index, render_configuration, service_openapi

    specs = {s: spec for s in SERVICE_SETTINGS if (spec := service_openapi(s)) is not None}
    wanted = {
        docs_dir / "configuration.md": render_configuration(),
        docs_dir / "api.md": render_api_index(specs),
        **{
            docs_dir / "openapi" / f"{s}.json": json.dumps(spec, indent=2, sort_keys=True) + "\n"
            for s, spec in specs.items()
        },
    }
    if check:
        stale = [str(p) for p, text in wanted.items() if not p.exists() or p.read_text() != text]
        if stale:
            console.print(f"[red]out of date: {', '.join(stale)}[/red] — run `tuneline docs`")
            raise typer.Exit(1)
        console.print("generated docs are up to date")
        return
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        console.print(f"wrote {path}")


def main() -> None:  # pragma: no cover
    sys.exit(app())
