"""The console's typed API client is generated from docs/openapi/*.json; a stale one fails here (and in CI)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

CONSOLE = Path(__file__).resolve().parents[2] / "console"


def test_generated_api_types_match_the_openapi_documents() -> None:
    assert shutil.which("node"), "Node.js is needed to build and check the console (`make setup`)"
    assert (CONSOLE / "node_modules" / "openapi-typescript").is_dir(), "run `make setup` (npm ci in console/)"
    run = subprocess.run(
        ["node", "scripts/generate-api.mjs", "--check"], cwd=CONSOLE, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr or run.stdout
