"""The whole walk in a real browser, with workers: one person after another takes a use case from the wizard to a
served model, and its retrained version through a 10% canary to promotion, on the embedded stack of real processes —
the services, the training worker, the evaluation runner, Ray Serve and the console's static server.

The browser tests live in console/tests/walk/*.spec.ts (test_browser.py runs the other specs, on a stack without
workers); this test starts the stack and runs `npx playwright test` with PLAYWRIGHT_SUITE=walk.

The base model is the tiny random Llama the training tests use, built here and mapped to the wizard's default
base-model reference with TUNELINE_BASE_MODEL_DIRS: the walk is about the screens and the services behind them, not
about model quality. For the same reason the forgetting gate's limits are opened (a random base model has no
general capability to forget: its perplexity says nothing) and the evaluation generates few tokens. The blind
review sample is two items, so two reviewers rate it in the browser within minutes, and monitoring evaluates drift
every 10 seconds over a 3-minute window, so the shifted traffic the spec sends raises its alert within the walk.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tuneline.cli import stack as stack_mod
from tuneline.common.infra import free_port_block
from tuneline.common.testing.leaks import find_leaks

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(2400)]

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: What walk.spec.ts plants in its 80 records (every tenth: jane.doe{i}@plant.example, +1 415 555 01{i}).
PLANTED_CONTACTS = [f"jane.doe{i}@plant.example" for i in range(0, 80, 10)] + [
    f"+1 415 555 01{i:02d}" for i in range(0, 80, 10)
]
WALK_ENV = {
    "TUNELINE_ENVIRONMENT": "test",
    "TUNELINE_KAFKA_SESSION_TIMEOUT_MS": "2000",
    "TUNELINE_KAFKA_FETCH_MAX_WAIT_MS": "10",
    "TUNELINE_OUTBOX_POLL_INTERVAL_S": "0.2",
    "TUNELINE_PII_ENGINE": "regex",  # e-mail addresses and phone numbers without loading spaCy
    "TUNELINE_SERVING_BACKEND": "ray",  # the walk deploys and chats: the real serving backend
    "TUNELINE_WORKER_POLL_INTERVAL_S": "1",
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
    # A random base model has no general capability to forget: the gate's limits say nothing here.
    "TUNELINE_GATE_MAX_PERPLEXITY_RATIO": "1000000",
    "TUNELINE_GATE_MAX_SUITE_DROP": "1.0",
    "TUNELINE_GATE_SUITE_LIMIT": "4",
    "TUNELINE_GATE_GENERAL_TEXT_LIMIT": "4",
    "TUNELINE_EVAL_MAX_NEW_TOKENS": "8",
    "TUNELINE_REVIEW_SAMPLE_SIZE": "2",
    # Drift within the walk's minutes: a pass every 10 s over the last 3 minutes of served requests.
    "TUNELINE_DRIFT_INTERVAL_S": "10",
    "TUNELINE_DRIFT_WINDOW_HOURS": "0.05",
}


@pytest.fixture
def start_walk_stack(fresh_database_url: str, fresh_kafka_bootstrap: str, tmp_path: Path) -> Iterator[stack_mod.Stack]:
    from tuneline.training.worker.base_models import build_tiny_model

    tiny = build_tiny_model(tmp_path / "tiny-model")
    config = stack_mod.StackConfig(
        data_dir=tmp_path / "stack",
        base_port=free_port_block(len(stack_mod.SERVICES)),
        serving_port=free_port_block(1),
        database_url=fresh_database_url,
        kafka_bootstrap=fresh_kafka_bootstrap,
        services=tuple(stack_mod.SERVICES),
        workers=True,
        ready_timeout_s=180,
        extra_env={**WALK_ENV, "TUNELINE_BASE_MODEL_DIRS": json.dumps({"smollm2-135m-instruct": str(tiny)})},
        console_port=free_port_block(1),
        console_dir=ROOT / "console" / "dist",
    )
    problems = stack_mod.preflight(config)
    assert not problems, problems
    stack = stack_mod.start(config, lambda _: None)
    try:
        yield stack
    finally:
        stack_mod.stop(stack, lambda _: None)
    # The walk plants the same contacts as 02-datasets.spec.ts: none reaches a log line or a dead letter.
    leaks = find_leaks(config.logs, fresh_database_url, planted=PLANTED_CONTACTS)
    assert not leaks, "\n".join(map(str, leaks))


def test_one_person_after_another_walks_a_use_case_from_the_wizard_to_a_served_model_in_a_browser(
    start_walk_stack: stack_mod.Stack, tmp_path: Path
) -> None:
    missing = [p for p in (CONSOLE / "node_modules" / "@playwright" / "test", CONSOLE / "dist" / "index.html",
                           Path(CHROMIUM)) if not p.exists()]  # fmt: skip
    assert not missing, f"the browser tier needs {missing} — `make setup` installs them"
    urls = {p.name: str(p.url) for p in start_walk_stack.processes if p.url}
    env = {
        **os.environ,
        "PLAYWRIGHT_SUITE": "walk",
        "CONSOLE_URL": urls["console"],
        "CHROMIUM_PATH": CHROMIUM,
        "PLAYWRIGHT_OUTPUT_DIR": str(tmp_path / "playwright"),
    }
    run = subprocess.run(
        ["npx", "playwright", "test"], cwd=CONSOLE, env=env, capture_output=True, text=True, timeout=2100
    )
    assert run.returncode == 0, f"browser tests failed:\n{run.stdout[-8000:]}\n{run.stderr[-4000:]}"
