"""`tuneline dataset`: create, upload with a progress bar, versions, validation report."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from tuneline.cli.commands._shared import api_errors, console, fmt, sdk, table
from tuneline.sdk.data import DatasetVersion, ErasureReport

app = typer.Typer(help="Datasets: uploads, versions, validation and PII reports.", no_args_is_help=True)


@app.command()
def create(usecase_id: str, name: str, description: Annotated[str | None, typer.Option()] = None) -> None:
    """Create a dataset for an approved use case."""
    with api_errors():
        dataset = sdk().data.create_dataset(usecase_id, name, description)
    console.print(f"[green]✓[/green] dataset {dataset.name} — id {dataset.id}")


@app.command("list")
def list_(usecase: Annotated[str | None, typer.Option(help="Only this use case's datasets.")] = None) -> None:
    with api_errors():
        datasets = sdk().data.list_datasets(usecase)
    rows = [[str(d.id), d.name, str(d.usecase_id), d.owner, d.ready_version_id] for d in datasets]
    console.print(table("Datasets", ["id", "name", "use case", "owner", "ready version"], rows))


@app.command()
def upload(
    dataset_id: str,
    file: Annotated[Path, typer.Argument(help="JSONL, JSON, CSV, TXT, PDF or DOCX.")],
    split: Annotated[str | None, typer.Option(help="Split ratios, e.g. 80/10/10.")] = None,
    mode: Annotated[str | None, typer.Option(help="instruction, conversational, classification or text.")] = None,
    mapping: Annotated[str | None, typer.Option(help='JSON: canonical field → yours, e.g. {"text": "entry"}.')] = None,
) -> None:
    """Upload a file as a new version, in resumable parts, with a progress bar; prints the validation outcome."""
    try:
        fields = json.loads(mapping) if mapping else None
    except json.JSONDecodeError as exc:
        console.print(f"[red]✗ --mapping is not JSON: {exc.msg}[/red]")
        raise typer.Exit(2) from exc
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with api_errors(), Progress(*columns, console=console) as bar:
        task = bar.add_task(f"uploading {file.name}", total=file.stat().st_size if file.is_file() else None)
        result = sdk().data.upload(
            dataset_id,
            file,
            split=split,
            mode=mode,
            mapping=fields,
            progress=lambda sent, total: bar.update(task, completed=sent, total=total),
        )
    version = result.version
    if version is None:
        console.print(f"[red]✗ upload {result.upload.status}: {result.upload.error}[/red]")
        raise typer.Exit(1)
    print_version(version)


def print_version(version: DatasetVersion) -> None:
    colour = "green" if version.status == "ready" else "yellow"
    console.print(
        f"[{colour}]version {version.number}: {version.status}[/{colour}]  records {version.record_count}  "
        f"quality {fmt(version.quality_score, 1)}  PII left {version.remaining_pii}  splits {version.split_counts}"
    )
    for reason in version.rejection_reasons:
        console.print(f"  [red]rejected:[/red] {reason}")


@app.command()
def versions(dataset_id: str) -> None:
    with api_errors():
        found = sdk().data.versions(dataset_id)
    rows = [
        [v.number, v.operation, v.status, v.record_count, fmt(v.quality_score, 1), v.remaining_pii, v.split_counts]
        for v in found
    ]
    console.print(table("Versions", ["#", "operation", "status", "records", "quality", "PII left", "splits"], rows))


@app.command()
def report(dataset_id: str, version: int, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The validation report and quality score of a version."""
    with api_errors():
        body = sdk().data.report(dataset_id, version)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    quality = body.get("quality", {})
    console.print(f"[bold]quality score {fmt(quality.get('score'), 1)}[/bold]")
    rows = [[k, json.dumps(v) if isinstance(v, (dict, list)) else v] for k, v in quality.get("breakdown", {}).items()]
    console.print(table("Quality breakdown", ["signal", "value"], rows))
    others = {k: v for k, v in body.items() if k != "quality"}
    for key, value in others.items():
        console.print(f"{key}: {json.dumps(value, default=str)[:300]}")


@app.command()
def redact(dataset_id: str, version: int, mode: Annotated[str, typer.Option()] = "replace") -> None:
    """A new version with PII redacted (replace, mask or hash)."""
    with api_errors():
        print_version(sdk().data.redact(dataset_id, version, mode))


@app.command()
def dedup(dataset_id: str, version: int) -> None:
    """A new version without duplicates."""
    with api_errors():
        print_version(sdk().data.dedup(dataset_id, version))


@app.command()
def erase(
    dataset_id: str,
    reason: Annotated[str, typer.Option(help="Why (kept with the tombstone), e.g. 'GDPR art. 17 request #42'.")],
    version: Annotated[int | None, typer.Option(help="Erase only this version (and what derives from it).")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for every service to confirm (0: do not wait).")] = 30,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a dataset (or a version) everywhere: records, splits, derived versions, adapters, evaluation samples,
    logged prompts. This cannot be undone."""
    what = f"version {version} of dataset {dataset_id}" if version is not None else f"dataset {dataset_id}"
    if not yes and not typer.confirm(f"Erase {what} and everything derived from it? This cannot be undone"):
        raise typer.Exit(1)
    with api_errors():
        client = sdk().data
        report = client.erase(dataset_id, reason, version=version)
        if wait > 0:
            report = client.wait_for_erasure(dataset_id, timeout_s=wait)
    print_erasure(report)


@app.command()
def erasure(dataset_id: str) -> None:
    """The dataset's latest erasure: what each service erased and which have not confirmed yet."""
    with api_errors():
        report = sdk().data.erasure_report(dataset_id)
    print_erasure(report)


def print_erasure(report: ErasureReport) -> None:
    colour = "green" if report.complete else "yellow"
    console.print(
        f"[{colour}]erasure {report.id}: {'complete' if report.complete else 'pending: ' + ', '.join(report.pending)}"
        f"[/{colour}]  {report.scope} {report.dataset_id} versions {report.version_numbers}  by {report.requested_by}"
    )
    rows = [
        [name, s.status, fmt_time(s.applied_at), ", ".join(f"{k} {v}" for k, v in s.counts.items())]
        for name, s in report.services.items()
    ]
    console.print(table("Erasure", ["service", "status", "applied", "erased"], rows))


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"
