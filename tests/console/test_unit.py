"""The console's unit tests (console/src/**/*.test.ts, node:test loaded through Vite): the SSE parser and client,
and how stream events fold into a job."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

CONSOLE = Path(__file__).resolve().parents[2] / "console"


def test_console_unit_tests_pass() -> None:
    assert shutil.which("node"), "Node.js is needed to build and check the console (`make setup`)"
    assert (CONSOLE / "node_modules" / "vite").is_dir(), "run `make setup` (npm ci in console/)"
    run = subprocess.run(["node", "scripts/unit-tests.mjs"], cwd=CONSOLE, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
