"""`tuneline up` as a real process: Ctrl-C and `tuneline down` leave no process of the stack behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tuneline.cli import stack as stack_mod
from tuneline.common.infra import free_port

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-c", "from tuneline.cli.main import main; main()"]


def _up(data_dir: Path, database_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *CLI,
            "up",
            "--data-dir",
            str(data_dir),
            "--base-port",
            str(free_port()),
            "--kafka-port",
            str(free_port()),
            "--console-port",  # the web console too, where `make setup` built it: it must stop with the rest
            str(free_port()),
            "--database-url",
            database_url,
            "--services",
            "intake",
            "--no-workers",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "200"},
    )


def _wait_running(data_dir: Path, up: subprocess.Popen[bytes], timeout_s: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    state_file = data_dir / "stack.json"
    while time.monotonic() < deadline:
        assert up.poll() is None, f"tuneline up exited with {up.returncode}"
        if state_file.exists():
            return dict(json.loads(state_file.read_text()))
        time.sleep(0.2)
    raise AssertionError("the stack did not come up")


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def _alive(procs: list[psutil.Process]) -> list[str]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(" ".join(p.cmdline())[:120])
        except psutil.Error:
            pass
    return out


@pytest.fixture
def stack_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "stack"
    stack_mod.down(tmp_path / "stack", timeout_s=30)  # whatever a failed test left running


@pytest.mark.parametrize("how", ["ctrl-c", "tuneline down"])
def test_stopping_the_stack_leaves_no_process_it_started(how: str, stack_dir: Path, fresh_database_url: str) -> None:
    up = _up(stack_dir, fresh_database_url)
    try:
        state = _wait_running(stack_dir, up)
        before = _tree(up.pid)
        names = {" ".join(p.cmdline()) for p in before}
        assert any("tuneline.intake" in n for n in names) and any("tansu" in n or "broker" in n for n in names)
        started = [p["name"] for p in state["processes"]]  # type: ignore[index]
        assert started in (["intake"], ["intake", "console"]), started

        if how == "ctrl-c":
            up.send_signal(signal.SIGINT)
        else:
            assert stack_mod.down(stack_dir, timeout_s=60)
        assert up.wait(timeout=60) == 0
        assert _alive(before) == []
        assert not (stack_dir / "stack.json").exists()
    finally:
        if up.poll() is None:
            up.kill()
