"""`tuneline demo`: start the embedded stack in this process, run the lifecycle, print the summary."""

from __future__ import annotations

import time

from rich.console import Console

from tuneline.cli import stack as stack_mod
from tuneline.cli.demo.lifecycle import DemoSizes, Lifecycle, People
from tuneline.cli.demo.summary import print_summary

#: Settings the demo's processes get: quick consumer-group joins, a quick outbox, drift checked every 15 s.
DEMO_ENV = {
    "TUNELINE_KAFKA_SESSION_TIMEOUT_MS": "3000",
    "TUNELINE_KAFKA_FETCH_MAX_WAIT_MS": "250",  # Tansu answers a fetch at its max wait: CPU vs hop latency
    "TUNELINE_OUTBOX_POLL_INTERVAL_S": "0.2",
    "TUNELINE_DRIFT_INTERVAL_S": "15",
    "TUNELINE_DRIFT_WINDOW_HOURS": "0.05",
    "TUNELINE_WORKER_POLL_INTERVAL_S": "1",
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
}


def run_demo(config: stack_mod.StackConfig, console: Console, sizes: DemoSizes, teardown: bool) -> int:
    missing = [s for s in stack_mod.SERVICES if s not in config.services]
    for service in missing:
        console.print(f"[yellow]! {service} is not runnable here yet; the stages that need it will be blocked[/yellow]")
    config.extra_env = {**DEMO_ENV, **config.extra_env}
    problems = stack_mod.preflight(config)
    if problems:
        for p in problems:
            console.print(f"[red]✗[/red] {p}")
        return 2
    started = time.monotonic()
    running = stack_mod.start(config, lambda m: console.print(f"[green]✓[/green] {m}"))
    code = 0
    try:
        console.print(f"stack up in {time.monotonic() - started:.1f}s")
        urls = {p.name: p.url for p in running.processes if p.url}
        serving_url = f"http://{config.host}:{config.serving_port}"
        people = People.minted(urls, serving_url, running.token_settings())
        workdir = config.data_dir / "demo"
        workdir.mkdir(parents=True, exist_ok=True)
        lifecycle = Lifecycle(people, workdir, lambda m: console.print(m), sizes)
        stages = lifecycle.run()
        print_summary(console, stages, lifecycle.outcome)
        code = 0 if all(s.status == "ok" for s in stages) else 1
        if not teardown:
            console.print("The stack stays up: explore with `tuneline usecase list` etc. Ctrl-C stops it.")
            code = stack_mod.supervise(running, lambda m: console.print(f"[yellow]![/yellow] {m}")) or code
    finally:
        stack_mod.stop(running, lambda m: console.print(f"  {m}"))
    return code
