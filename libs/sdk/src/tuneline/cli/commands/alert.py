"""`tuneline alert`: list and acknowledge alerts; `tuneline alert traffic`: monitoring figures."""

from __future__ import annotations

from typing import Annotated

import typer

from tuneline.cli.commands._shared import api_errors, console, fmt, sdk, table

app = typer.Typer(help="Monitoring: alerts, traffic figures, drift reports.", no_args_is_help=True)


@app.command("list")
def list_(
    state: Annotated[str | None, typer.Option(help="firing, acknowledged or resolved.")] = None,
    model: Annotated[str | None, typer.Option()] = None,
) -> None:
    with api_errors():
        alerts = sdk().monitoring.alerts(state=state, model=model)
    rows = [
        [
            str(a.id),
            a.severity,
            a.state,
            a.model_name,
            a.arm,
            a.title,
            fmt(a.value),
            fmt(a.threshold),
            a.fired_at.isoformat(timespec="seconds"),
        ]
        for a in alerts
    ]
    columns = ["id", "severity", "state", "model", "arm", "title", "value", "threshold", "fired"]
    console.print(table("Alerts", columns, rows))


@app.command()
def ack(alert_id: str) -> None:
    """Acknowledge a firing alert (an SRE or ML engineer)."""
    with api_errors():
        alert = sdk().monitoring.acknowledge(alert_id)
    console.print(f"[green]✓[/green] {alert.title}: {alert.state} by {alert.acknowledged_by}")


@app.command()
def traffic(model: Annotated[str | None, typer.Argument(help="One model; all when omitted.")] = None) -> None:
    """Current requests, errors, latency and tokens per model version and canary arm."""
    with api_errors():
        current = sdk().monitoring.current(model)
    rows = [
        [
            i.model,
            i.version,
            i.arm,
            i.figures.requests,
            fmt(i.figures.error_rate),
            fmt(i.figures.latency_p50_ms, 0),
            fmt(i.figures.latency_p95_ms, 0),
            i.figures.tokens_out,
        ]
        for i in current.items
    ]
    columns = ["model", "version", "arm", "requests", "error rate", "p50 ms", "p95 ms", "tokens out"]
    console.print(table("Traffic", columns, rows))


@app.command()
def drift(model: Annotated[str | None, typer.Option()] = None) -> None:
    """Drift reports, newest first."""
    with api_errors():
        reports = sdk().monitoring.drift_reports(model=model)
    rows = [
        [
            r.model_name,
            r.version,
            r.drifted,
            r.window_end.isoformat(timespec="seconds"),
            ", ".join(str(c.get("detector", c.get("name", "?"))) for c in r.checks if c.get("drifted")),
        ]
        for r in reports
    ]
    console.print(table("Drift reports", ["model", "version", "drifted", "window end", "drifted checks"], rows))
