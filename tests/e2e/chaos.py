"""What the chaos tier's tests share: a stack supervised as `tuneline up` supervises it, and the faults.

Each fault and its recovery is printed with the time, so a run's output tells what was killed when.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tuneline.cli import stack as stack_mod
from tuneline.cli.stack_supervisor import RestartPolicy, RunningProcess
from tuneline.common.infra import start_tansu


def say(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


def until(check: Callable[[], Any], timeout_s: float = 90.0, what: str = "condition") -> Any:
    """`check`'s value once it is truthy; a connection refused on the way (a restarting process) is no failure."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = check()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {timeout_s}s")


@contextmanager
def supervised_stack(config: stack_mod.StackConfig) -> Iterator[stack_mod.Stack]:
    """The stack started with a quick restart policy and its supervisor polling in a background thread, as
    `tuneline up` polls; everything stopped at the end."""
    assert not stack_mod.preflight(config)
    stack = stack_mod.start(config, say, RestartPolicy(backoff_initial_s=0.5, backoff_max_s=2))
    stop = threading.Event()

    def supervise() -> None:
        while not stop.is_set():
            assert stack.supervisor is not None
            stack.supervisor.poll_once()
            stop.wait(0.2)

    thread = threading.Thread(target=supervise, name="chaos-supervisor", daemon=True)
    thread.start()
    try:
        yield stack
    finally:
        stop.set()
        thread.join(timeout=10)
        stack_mod.stop(stack, lambda _: None)


def process_named(stack: stack_mod.Stack, name: str) -> RunningProcess:
    return next(p for p in stack.processes if p.name == name)


def kill_and_recover(stack: stack_mod.Stack, name: str, stage: str) -> None:
    """kill -9 one process; returns once the supervisor restarted it (and a service answers /readyz again)."""
    proc = process_named(stack, name)
    pid, restarts = proc.process.pid, proc.restarts
    proc.process.kill()
    say(f"kill -9 {name} (pid {pid}) during {stage}")
    until(lambda: proc.restarts > restarts and proc.state == "running", what=f"{name} restarted")
    if proc.url:
        until(lambda: httpx.get(f"{proc.url}/readyz", timeout=2).status_code == 200, what=f"{name} ready again")
    say(f"{name} recovered: pid {proc.process.pid}, restart #{proc.restarts}")


def restart_broker(stack: stack_mod.Stack, stage: str) -> None:
    """Stop the stack's broker and start an empty one on the same port (the embedded build keeps everything in
    memory: every topic, record and committed offset is lost)."""
    assert stack.broker is not None
    port = int(stack.kafka_bootstrap.rsplit(":", 1)[1])
    stack.broker.stop()
    say(f"broker stopped during {stage} (every topic, record and committed offset lost)")
    stack.broker = start_tansu(port, stack.config.logs / "kafka-2.log", host=stack.config.host)
    say("broker started again, empty")
