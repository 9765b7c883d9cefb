"""`tuneline up`'s supervisor on real processes: restarts with backoff, counts, crash loops, whole-tree shutdown."""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from tuneline.cli.stack_supervisor import RestartPolicy, RunningProcess, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]

#: Ray's pattern: the service starts a "raylet" in a session of its own, which starts an "agent" in another one and
#: exits on SIGTERM without stopping it: neither the service's process group nor the raylet's reaches the agent.
RAY_LIKE = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    agent = "import time; time.sleep(600)"
    raylet = (
        "import signal, subprocess, sys, time\\n"
        f"subprocess.Popen([sys.executable, '-c', {agent!r}], start_new_session=True)\\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\\n"
        "time.sleep(600)\\n"
    )
    subprocess.Popen([sys.executable, "-c", raylet], start_new_session=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    time.sleep(600)
    """
)


def _poll_until(supervisor: Supervisor, check, what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        supervisor.poll_once()
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout_s}s")


def _tree(proc: RunningProcess) -> list[psutil.Process]:
    root = psutil.Process(proc.process.pid)
    return [root, *root.children(recursive=True)]


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.Error:
            pass
    return out


@pytest.fixture
def supervisor(tmp_path: Path):
    said: list[str] = []
    sup = Supervisor(said.append, policy=RestartPolicy(backoff_initial_s=0.1, backoff_max_s=0.5), logs=tmp_path)
    sup.said = said  # type: ignore[attr-defined]
    try:
        yield sup
    finally:
        sup.stop_all(timeout_s=5)


def test_a_killed_service_is_restarted_and_the_restart_is_logged_and_counted(supervisor: Supervisor, tmp_path: Path):
    data = supervisor.launch("data", SLEEPER, dict(os.environ), tmp_path / "data.log")
    first_pid = data.process.pid
    os.kill(first_pid, signal.SIGKILL)

    _poll_until(supervisor, lambda: data.restarts == 1 and data.state == "running", "restart")
    assert data.process.pid != first_pid and data.process.poll() is None
    assert data.last_exit_code == -signal.SIGKILL
    events = [json.loads(line) for line in (tmp_path / "supervisor.log").read_text().splitlines()]
    assert [e["event"] for e in events] == ["stack.process.exited", "stack.process.restarted"]
    assert events[0]["exit_code"] == -signal.SIGKILL and events[1]["restarts"] == 1
    assert 'tuneline_stack_process_restarts_total{process="data"} 1' in (tmp_path / "supervisor.prom").read_text()
    assert any("data exited with code -9" in m for m in supervisor.said)  # type: ignore[attr-defined]


def test_backoff_doubles_with_quick_failures_up_to_the_cap() -> None:
    policy = RestartPolicy(backoff_initial_s=1, backoff_max_s=5)
    assert [policy.backoff_s(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]


def test_a_crash_loop_stops_only_that_process(tmp_path: Path) -> None:
    policy = RestartPolicy(backoff_initial_s=0.05, backoff_max_s=0.1, crash_loop_exits=3, crash_loop_window_s=60)
    sup = Supervisor(lambda _: None, policy=policy, logs=tmp_path)
    try:
        steady = sup.launch("intake", SLEEPER, dict(os.environ), tmp_path / "intake.log")
        crasher = sup.launch("monitoring", CRASHER, dict(os.environ), tmp_path / "monitoring.log")
        steady_pid = steady.process.pid
        _poll_until(sup, lambda: crasher.state == "crash-loop", "crash loop detected")
        assert crasher.restarts == 2 and crasher.last_exit_code == 3
        for _ in range(5):  # it is not started again
            sup.poll_once()
            time.sleep(0.1)
        assert crasher.state == "crash-loop" and crasher.process.poll() is not None
        assert steady.state == "running" and steady.process.pid == steady_pid and steady.process.poll() is None
        assert (
            'tuneline_stack_process_crash_looping{process="monitoring"} 1' in (tmp_path / "supervisor.prom").read_text()
        )
    finally:
        sup.stop_all(timeout_s=5)


def test_stopping_the_stack_stops_every_process_of_every_tree(supervisor: Supervisor, tmp_path: Path) -> None:
    registry = supervisor.launch("registry", [sys.executable, "-c", RAY_LIKE], dict(os.environ), tmp_path / "r.log")
    _poll_until(supervisor, lambda: len(_tree(registry)) == 3, "service, raylet and agent running")
    before = _tree(registry)
    assert len({p.pid for p in before}) == 3

    supervisor.stop_all(timeout_s=5)

    assert _alive(before) == [], [p.cmdline() for p in _alive(before)]


def test_children_of_a_service_killed_hard_are_stopped_before_it_is_restarted(
    supervisor: Supervisor, tmp_path: Path
) -> None:
    registry = supervisor.launch("registry", [sys.executable, "-c", RAY_LIKE], dict(os.environ), tmp_path / "r.log")
    _poll_until(supervisor, lambda: len(_tree(registry)) == 3, "service, raylet and agent running")
    orphans = _tree(registry)[1:]
    supervisor.poll_once()  # it polls every half second: children older than that are known to it
    os.kill(registry.process.pid, signal.SIGKILL)

    _poll_until(supervisor, lambda: registry.restarts == 1, "restart")
    assert _alive(orphans) == []
