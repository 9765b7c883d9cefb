"""`tuneline model`: registered models, their versions, stage changes, model cards, inference keys, exports; base
models uploaded to the object store with their manifest."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from tuneline.cli.commands._shared import api_errors, console, fmt, sdk, table

app = typer.Typer(
    help="Registered models: versions, lifecycle stages, cards, keys, exports; base models in the object store.",
    no_args_is_help=True,
)


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


@app.command()
def export(
    name: str,
    version: int,
    format: Annotated[str, typer.Option("--format", "-f", help="merged, gguf or adapter.")] = "gguf",
    quantization: Annotated[
        str | None,
        typer.Option("--quantization", "-q", help="GGUF tensor type, e.g. Q8_0 (default), F16, F32, Q4_0."),
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until it is built and checked.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="With --wait: download it here (a file or a directory).")
    ] = None,
) -> None:
    """Export a version for deployment: the merged model (safetensors), a GGUF file for llama.cpp / Ollama, or the
    PEFT adapter. Each export is loaded back and compared with the served model; asking again returns it."""
    if out is not None and not wait:
        raise typer.BadParameter("--out needs --wait (the export must be built first)", param_hint="--out")
    with api_errors():
        registry = sdk().registry
        found = registry.export(name, version, format, quantization)
        console.print(f"export {found.id}: {found.format} {found.quantization or ''} — {found.status}".rstrip())
        if wait and not found.finished:
            found = registry.wait_for_export(name, version, found.id)
        if wait:
            _print_export(found)
        if found.status == "failed":
            raise typer.Exit(1)
        if out is not None and found.status == "completed":
            path = registry.download_export(name, version, found.id, out)
            console.print(f"[green]✓[/green] downloaded to {path}")


@app.command()
def exports(name: str, version: int) -> None:
    """The exports of a version with their status, size and verification."""
    with api_errors():
        found = sdk().registry.exports(name, version)
    rows = []
    for e in found:
        check = e.verification or {}
        verified = f"{check['matched']}/{check['prompts']}" if check else None
        agreement = fmt(check.get("token_agreement"), 3) if check else None
        size = f"{e.size_bytes / 2**20:.1f} MiB" if e.size_bytes is not None else None
        rows.append([e.id, e.format, e.quantization, e.status, size, verified, agreement, e.reason])
    columns = ["id", "format", "quantization", "status", "size", "identical", "agreement", "reason"]
    console.print(table(f"Exports of {name} v{version}", columns, rows))


@app.command()
def download(
    name: str,
    version: int,
    export_id: str,
    out: Annotated[Path, typer.Option("--out", "-o", help="A file, or a directory to save it in.")] = Path("."),
    file: Annotated[str | None, typer.Option("--file", help="Only this file of a merged or adapter export.")] = None,
) -> None:
    """Download a completed export: the GGUF file, or a tar of a merged / adapter export (with SHA256SUMS)."""
    with api_errors():
        path = sdk().registry.download_export(name, version, export_id, out, file=file)
    console.print(f"[green]✓[/green] {path} ({path.stat().st_size:,} bytes)")


def _print_export(found: Any) -> None:
    if found.status != "completed":
        console.print(f"[red]✗ export {found.status}: {found.reason}[/red]")
    check = found.verification or {}
    if check:
        verdict = "identical to the served model" if check["passed"] else "differs from the served model on some"
        console.print(
            f"verification: {check['matched']}/{check['prompts']} prompts {verdict}, "
            f"token agreement {check['token_agreement']:.3f}"
            + ("" if check["exact_expected"] else " (quantized: differences are expected)")
        )
    if found.status == "completed":
        console.print(f"[green]✓[/green] {found.size_bytes:,} bytes, sha256 {found.sha256}")


@app.command("upload-base")
def upload_base(
    directory: Annotated[
        Path, typer.Argument(help="A Hugging Face model directory (config.json, weights, tokenizer).")
    ],
    uri: Annotated[
        str, typer.Argument(help="Where it goes: s3://bucket/models/<name> or file:///shared/models/<name>.")
    ],
) -> None:
    """Upload a base model with its manifest (tuneline-manifest.json: every file's sha256 and size, written last),
    so training, evaluation and serving fetch it by URI and check every file. S3 credentials come from
    TUNELINE_S3_ENDPOINT, TUNELINE_S3_ACCESS_KEY, TUNELINE_S3_SECRET_KEY and TUNELINE_S3_SECURE (any bucket on
    that endpoint)."""
    from pydantic import ValidationError

    from tuneline.common.artifacts import ArtifactError, upload_with_manifest
    from tuneline.common.settings import ObjectStoreSettings
    from tuneline.common.storage import StorageError, store_at

    if not (directory / "config.json").is_file():
        raise typer.BadParameter(
            f"{directory} has no config.json: not a Hugging Face model directory", param_hint="DIRECTORY"
        )
    try:
        store, key = store_at(uri, ObjectStoreSettings())
        manifest = asyncio.run(upload_with_manifest(store, directory, key))
    except ValidationError as exc:
        console.print(f"[red]✗ invalid object-store settings: {exc}[/red]")
        raise typer.Exit(2) from exc
    except (ArtifactError, StorageError, OSError) as exc:
        console.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(1) from exc
    size = sum(size for _sha, size in manifest.files.values())
    console.print(f"[green]✓[/green] {len(manifest.files)} files ({size / 1e6:.1f} MB) and their manifest at {uri}")
    typer.echo(f"use it as a base model: {uri} (or map a reference to it with TUNELINE_BASE_MODEL_DIRS)")
