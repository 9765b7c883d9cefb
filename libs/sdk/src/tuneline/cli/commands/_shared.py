"""What every command group shares: the SDK from the environment, the console, API errors as exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from tuneline.sdk import ApiError, Tuneline

console = Console()


def sdk() -> Tuneline:
    """The SDK configured by TUNELINE_TOKEN and TUNELINE_<SERVICE>_URL (see `tuneline token`)."""
    return Tuneline.from_env()


@contextmanager
def api_errors() -> Iterator[None]:
    """A service's refusal or an unreachable service becomes one red line and exit code 1, not a traceback."""
    try:
        yield
    except ApiError as exc:
        where = f" (field: {exc.field})" if exc.field else ""
        console.print(f"[red]✗ {exc}{where}[/red]")
        if exc.status == 401:
            console.print("  set TUNELINE_TOKEN: export TUNELINE_TOKEN=$(tuneline token --roles <role>)")
        raise typer.Exit(1) from exc
    except httpx.TransportError as exc:
        console.print(f"[red]✗ cannot reach the service: {exc}[/red] — is the stack up? (`tuneline up`)")
        raise typer.Exit(1) from exc
    except (ValueError, FileNotFoundError, TimeoutError) as exc:
        console.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(2) from exc


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    out = Table(title=title)
    for column in columns:
        out.add_column(column)
    for row in rows:
        out.add_row(*("-" if v is None else str(v) for v in row))
    return out


def fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
