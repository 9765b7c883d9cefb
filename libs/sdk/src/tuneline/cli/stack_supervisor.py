"""Process supervision for `tuneline up`: restart what exits, with backoff; stop a crash loop; leave nothing behind.

A service or worker that exits is started again after a backoff that doubles with each quick failure (a run that
lasted `healthy_after_s` resets it). Each restart is said on the console, written as a JSON line to
``logs/supervisor.log``, counted in ``stack.json`` (`tuneline status`) and in ``logs/supervisor.prom`` (Prometheus
text format, for a node-exporter textfile collector). `crash_loop_exits` exits within `crash_loop_window_s` mark
the process as crash-looping: it is reported and left stopped while the rest of the platform keeps running.

Stopping reaches the whole process tree, not only the process group: Ray's raylet starts its DashboardAgent and
RuntimeEnvAgent in sessions of their own, and they outlive the raylet when only it is signalled. Every poll
remembers each process's descendants (psutil), so even the children of a process killed with SIGKILL are found
and stopped.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psutil

from tuneline.common.infra import spawn, stop_process

State = Literal["running", "restarting", "crash-loop", "stopped"]


@dataclass(frozen=True)
class RestartPolicy:
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 30.0
    crash_loop_exits: int = 5
    crash_loop_window_s: float = 120.0
    healthy_after_s: float = 60.0

    def backoff_s(self, consecutive_failures: int) -> float:
        return float(min(self.backoff_max_s, self.backoff_initial_s * 2 ** max(0, consecutive_failures - 1)))


@dataclass
class RunningProcess:
    """One supervised process; `process` is replaced by each restart."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str | None = None
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    state: State = "running"
    restarts: int = 0
    last_exit_code: int | None = None
    started_at: float = field(default_factory=time.monotonic)
    restart_at: float | None = None
    consecutive_failures: int = 0
    exits: deque[float] = field(default_factory=deque)
    #: Every descendant seen so far (pid → process); psutil remembers creation times, so a reused pid is no match.
    descendants: dict[int, psutil.Process] = field(default_factory=dict)

    def remember_descendants(self, children: dict[int, list[psutil.Process]] | None = None) -> None:
        """Add the process's current descendants (from one `children_by_parent()` scan, or a fresh one)."""
        children = children_by_parent() if children is None else children
        # From the known descendants too: after the process died, its orphans still lead to their own children.
        todo = [self.process.pid, *self.descendants]
        seen = set(todo)
        while todo:
            for child in children.get(todo.pop(), ()):
                if child.pid not in seen:
                    seen.add(child.pid)
                    self.descendants.setdefault(child.pid, child)
                    todo.append(child.pid)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pid": self.process.pid,
            "url": self.url,
            "log": str(self.log),
            "state": self.state,
            "restarts": self.restarts,
            "last_exit_code": self.last_exit_code,
        }


def children_by_parent() -> dict[int, list[psutil.Process]]:
    """One scan of the process table (cheaper than a recursive `children()` per supervised process)."""
    out: dict[int, list[psutil.Process]] = {}
    for p in psutil.process_iter(["ppid"]):
        ppid = p.info.get("ppid")
        if ppid:
            out.setdefault(int(ppid), []).append(p)
    return out


def stop_tree(proc: RunningProcess, timeout_s: float = 15) -> None:
    """Stop the process, its process group and every descendant it ever had that is still alive."""
    proc.remember_descendants()
    stop_process(proc.process, timeout_s=timeout_s)
    kill_leftovers(proc)


def kill_leftovers(proc: RunningProcess, timeout_s: float = 5) -> list[int]:
    """SIGTERM, then SIGKILL, the remembered descendants that outlived their parent; returns their pids."""
    proc.remember_descendants()
    alive = [p for p in proc.descendants.values() if _alive(p)]
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, still = psutil.wait_procs(alive, timeout=timeout_s)
    for p in still:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(still, timeout=timeout_s)
    proc.descendants.clear()
    return [p.pid for p in alive]


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class Supervisor:
    """Starts processes and keeps them up by `poll_once()` (called every half second by `supervise`)."""

    def __init__(
        self,
        say: Callable[[str], None],
        *,
        policy: RestartPolicy | None = None,
        logs: Path,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.say = say
        self.policy = policy or RestartPolicy()
        self.logs = logs
        self.on_change = on_change
        self.processes: list[RunningProcess] = []

    def launch(
        self, name: str, argv: list[str], env: dict[str, str], log: Path, url: str | None = None
    ) -> RunningProcess:
        proc = RunningProcess(name, spawn(argv, log, env=env), log, url, argv=argv, env=env)
        self.processes.append(proc)
        return proc

    def poll_once(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        changed = False
        children = children_by_parent()
        for proc in self.processes:
            if proc.state == "running":
                code = proc.process.poll()
                if code is None:
                    proc.remember_descendants(children)
                    continue
                self._exited(proc, code, now)
                changed = True
            elif proc.state == "restarting" and proc.restart_at is not None and now >= proc.restart_at:
                proc.process = spawn(proc.argv, proc.log, env=proc.env)
                proc.state, proc.restart_at, proc.started_at = "running", None, now
                proc.restarts += 1
                self._event("stack.process.restarted", proc, restarts=proc.restarts, pid=proc.process.pid)
                self.say(f"{proc.name} restarted (pid {proc.process.pid}, restart #{proc.restarts})")
                changed = True
        if changed:
            self._write_metrics()
            if self.on_change is not None:
                self.on_change()

    def _exited(self, proc: RunningProcess, code: int, now: float) -> None:
        proc.last_exit_code = code
        leftovers = kill_leftovers(proc)  # its children must not hold ports or GPUs against the next start
        ran_s = now - proc.started_at
        proc.consecutive_failures = 1 if ran_s >= self.policy.healthy_after_s else proc.consecutive_failures + 1
        proc.exits.append(now)
        while proc.exits and now - proc.exits[0] > self.policy.crash_loop_window_s:
            proc.exits.popleft()
        if len(proc.exits) >= self.policy.crash_loop_exits:
            proc.state = "crash-loop"
            self._event("stack.process.crash_loop", proc, exit_code=code, exits=len(proc.exits), level="error")
            self.say(
                f"{proc.name} exited {len(proc.exits)} times within {self.policy.crash_loop_window_s:.0f}s "
                f"(last code {code}): crash loop, left stopped; the rest keeps running. See {proc.log}"
            )
            return
        delay = self.policy.backoff_s(proc.consecutive_failures)
        proc.state, proc.restart_at = "restarting", now + delay
        self._event(
            "stack.process.exited", proc, exit_code=code, ran_s=round(ran_s, 1), restart_in_s=delay, leftovers=leftovers
        )
        self.say(f"{proc.name} exited with code {code} after {ran_s:.0f}s; restarting in {delay:.1f}s (see {proc.log})")

    def stop_all(self, timeout_s: float = 15) -> None:
        for proc in reversed(self.processes):
            stop_tree(proc, timeout_s)
            proc.state = "stopped"
            self.say(f"stopped {proc.name}")

    def _event(self, event: str, proc: RunningProcess, level: str = "warning", **fields: Any) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        line = {"event": event, "level": level, "process": proc.name, "timestamp": _utc_now(), **fields}
        with (self.logs / "supervisor.log").open("a") as f:
            f.write(json.dumps(line) + "\n")

    def _write_metrics(self) -> None:
        lines = [
            "# HELP tuneline_stack_process_restarts_total Restarts of a stack process by the supervisor.",
            "# TYPE tuneline_stack_process_restarts_total counter",
            *(f'tuneline_stack_process_restarts_total{{process="{p.name}"}} {p.restarts}' for p in self.processes),
            "# HELP tuneline_stack_process_crash_looping 1 while a process is left stopped after a crash loop.",
            "# TYPE tuneline_stack_process_crash_looping gauge",
            *(
                f'tuneline_stack_process_crash_looping{{process="{p.name}"}} {int(p.state == "crash-loop")}'
                for p in self.processes
            ),
        ]
        self.logs.mkdir(parents=True, exist_ok=True)
        tmp = self.logs / "supervisor.prom.tmp"
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(self.logs / "supervisor.prom")


def _utc_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()
