"""Run every benchmark in bench/ and write one Markdown table of their figures to bench/RESULTS.md.

    .venv/bin/python bench/run.py                    # small sizes, each bench within its time budget
    .venv/bin/python bench/run.py --full             # each bench's own default sizes
    .venv/bin/python bench/run.py --only training,serving

Each bench is a script that prints its figures (ratios against a baseline run side by side). This runner passes
the small-size flags a bench has, gives it a time budget, and keeps every printed line that carries a figure
("label: value", "label = value" or a table row with numbers). A bench that fails or overruns is listed with
that status, so the table always says what was and was not measured.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Flags that keep a bench to a few minutes on a 2-core machine (unknown benches run with their defaults).
SMALL_FLAGS: dict[str, list[str]] = {
    "backbone": ["--events", "200", "--bulk", "2000"],
    "console": ["--runs", "3", "--usecases", "10"],
    "data_pii": ["--records", "500", "--baseline", "100"],
    "data_stream": ["--rows", "20000", "--near-max", "20000"],
    "eval_generation": ["--samples", "8"],
    "hostile_input": ["--doc-mb", "1", "--jsonl-mb", "5", "--scan-mb", "1"],
    "forgetting": ["--records", "120", "--epochs", "1", "--test-records", "20", "--replay", "0", "0.25"],
    "intake_portfolio": ["--usecases", "1000", "--requests", "50"],
    "monitoring_ingest": ["--events", "3000", "--batch", "500", "--markers", "5", "--load-rate", "200"],
    "serving": ["--model", "tiny", "--requests", "8", "--concurrent", "8", "--concurrent-requests", "16"],
    "training": ["--steps", "3", "--eval-records", "8"],
    "time_to_model": [],  # the target is for the demo's own dataset: always its size
}
#: Seconds a bench may take before it is stopped (default for the others: DEFAULT_BUDGET_S).
BUDGET_S: dict[str, float] = {
    "forgetting": 1500,
    "training": 900,
    "time_to_model": 1500,
    "serving": 600,
    "eval_generation": 600,
    "hostile_input": 900,
    "console": 600,
}
DEFAULT_BUDGET_S = 300.0

#: A log line a bench's libraries print (structlog's console format), not a figure.
_LOG_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)


@dataclass
class BenchRun:
    name: str
    status: str
    seconds: float
    figures: list[tuple[str, str]] = field(default_factory=list)
    command: str = ""


def discover(only: set[str] | None) -> list[Path]:
    scripts = sorted(p for p in HERE.glob("bench_*.py"))
    return [p for p in scripts if only is None or p.stem.removeprefix("bench_") in only]


def figures_of(output: str) -> list[tuple[str, str]]:
    """The printed lines that carry a number, as (label, value)."""
    found = []
    for raw in output.splitlines():
        line = raw.strip().strip("|").strip()
        if _LOG_LINE.match(line) or "(raylet)" in line or "\x1b[" in line:
            continue
        if not line or not _NUMBER.search(line) or set(line) <= set("-=|+: "):
            continue
        for separator in (": ", " = ", "|", "  "):
            label, sep, value = line.partition(separator)
            if sep and _NUMBER.search(value) and label.strip():
                found.append((label.strip(), " ".join(value.replace("|", " ").split())))
                break
        else:
            found.append((line, ""))
    return found


def run_one(script: Path, full: bool, python: str) -> BenchRun:
    name = script.stem.removeprefix("bench_")
    flags = [] if full else SMALL_FLAGS.get(name, [])
    command = [python, str(script), *flags]
    shown = " ".join([f"bench/{script.name}", *flags])
    budget = BUDGET_S.get(name, DEFAULT_BUDGET_S) * (4 if full else 1)
    started = time.monotonic()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=budget, env=env, cwd=HERE.parent)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return BenchRun(
            name, f"over budget ({budget:.0f}s)", time.monotonic() - started, figures_of(out), " ".join(command[1:])
        )
    seconds = time.monotonic() - started
    status = "ok" if done.returncode == 0 else f"failed (exit {done.returncode}): {_last_line(done.stderr)}"
    return BenchRun(name, status, seconds, figures_of(done.stdout), shown)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def render(runs: list[BenchRun], full: bool) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmark results",
        "",
        f"Run {now} on {os.cpu_count()} CPU cores ({'full' if full else 'small'} sizes) by `bench/run.py`.",
        "Each figure is as the bench printed it; ratios compare against the baseline run side by side.",
        "",
        "| bench | figure | value |",
        "|---|---|---|",
    ]
    for run in runs:
        out.append(f"| **{run.name}** | status: {_cell(run.status)}, {run.seconds:.0f} s | `{_cell(run.command)}` |")
        for label, value in run.figures:
            out.append(f"| {run.name} | {_cell(label)} | {_cell(value)} |")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="run each bench with its own default sizes")
    parser.add_argument("--only", help="comma-separated bench names (the part after bench_)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    only = {n.strip() for n in args.only.split(",")} if args.only else None
    runs = []
    for script in discover(only):
        print(f"running {script.name} ...", flush=True)
        run = run_one(script, args.full, sys.executable)
        print(f"  {run.status} in {run.seconds:.0f}s, {len(run.figures)} figures", flush=True)
        runs.append(run)
    args.out.write_text(render(runs, args.full), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0 if all(r.status == "ok" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
