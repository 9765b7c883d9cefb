"""The web console in a real browser: Playwright drives Debian's Chromium against the embedded stack of real
processes (the services as `tuneline up` starts them, on free ports, plus the console's static server).

The browser tests themselves live in console/tests/*.spec.ts; this test starts the stack, runs
`npx playwright test` and fails when any of them fails, so `make test` runs the browser tier.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tuneline.cli import stack as stack_mod

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _require_tooling() -> None:
    missing = []
    if shutil.which("npx") is None:
        missing.append("Node.js (npx)")
    if not (CONSOLE / "node_modules" / "@playwright" / "test").is_dir():
        missing.append("console/node_modules (npm ci in console/)")
    if not (CONSOLE / "dist" / "index.html").is_file():
        missing.append("console/dist (npm run build in console/)")
    if not Path(CHROMIUM).exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    assert not missing, "the browser tier needs " + ", ".join(missing) + " — `make setup` installs them"


def test_console_walks_a_use_case_from_the_wizard_through_review_to_a_redacted_dataset_in_a_browser(
    start_console_stack: stack_mod.Stack, tmp_path: Path
) -> None:
    _require_tooling()
    console = next(p for p in start_console_stack.processes if p.name == "console")
    env = {
        **os.environ,
        "CONSOLE_URL": str(console.url),
        "CHROMIUM_PATH": CHROMIUM,
        "PLAYWRIGHT_OUTPUT_DIR": str(tmp_path / "playwright"),
    }
    run = subprocess.run(
        ["npx", "playwright", "test"], cwd=CONSOLE, env=env, capture_output=True, text=True, timeout=1500
    )
    assert run.returncode == 0, f"browser tests failed:\n{run.stdout[-8000:]}\n{run.stderr[-4000:]}"
