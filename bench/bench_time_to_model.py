"""Time to model: seconds from the dataset upload to the fine-tuned model answering its first request.

    .venv/bin/python bench/bench_time_to_model.py                      # the demo's size (320 records, 1 epoch)
    .venv/bin/python bench/bench_time_to_model.py --records 80

Starts the embedded stack (`tuneline up` in this process, on free ports), drives the demo's lifecycle through the
public APIs (intake → data → training → evaluation → registry → Ray Serve) and prints the time of each stage,
the compute inside them (the training job's own duration as the worker measured it) and the orchestration
overhead: the wall time from upload to first answer minus training compute, evaluation compute and the serving
replica's start (model load). Target: time to model ≤ 600 s, overhead ≤ 5 s on this machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from tuneline.cli import stack as stack_mod
from tuneline.cli.demo.command import DEMO_ENV
from tuneline.cli.demo.lifecycle import DemoSizes, Lifecycle, People
from tuneline.common.infra import port_in_use

STEPS = ("intake", "data", "training", "evaluation", "release", "serving")


def _free_block(size: int) -> int:
    for base in range(24100, 40000, 50):
        if not any(port_in_use(base + i) for i in range(size)):
            return base
    raise RuntimeError("no free ports")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    demo = DemoSizes()
    parser.add_argument("--records", type=int, default=demo.records, help="maintenance-log entries uploaded")
    parser.add_argument("--epochs", type=int, default=demo.epochs)
    args = parser.parse_args()
    console = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="tuneline-ttm-") as tmp:
        base = _free_block(8)
        config = stack_mod.StackConfig(
            data_dir=Path(tmp),
            base_port=base,
            kafka_port=base + 6,
            serving_port=base + 7,
            services=stack_mod.runnable_services(),
            extra_env=dict(DEMO_ENV),
        )
        started = time.monotonic()
        running = stack_mod.start(config, lambda m: console.print(m))
        stack_seconds = time.monotonic() - started
        try:
            urls = {p.name: p.url for p in running.processes if p.url}
            people = People.minted(urls, f"http://{config.host}:{config.serving_port}", running.token_settings())
            sizes = DemoSizes(records=args.records, epochs=args.epochs, served_requests=1)
            lifecycle = Lifecycle(people, Path(tmp) / "demo", lambda m: console.print(m), sizes)
            stages = lifecycle.run(STEPS)
        finally:
            stack_mod.stop(running, lambda m: None)
    outcome = lifecycle.outcome
    print(f"stack start (not counted): {stack_seconds:.1f} s")
    for stage in stages:
        print(f"stage {stage.name}: {stage.seconds:.1f} s ({stage.status})")
    if outcome.upload_started_at is None or outcome.first_answer_at is None:
        blocked = next((s for s in stages if s.status != "ok"), None)
        print(f"time to model: not reached ({blocked.name if blocked else '?'}: {blocked.detail if blocked else ''})")
        return 1
    total = outcome.first_answer_at - outcome.upload_started_at
    training = outcome.job.duration_seconds if outcome.job else 0.0
    evaluation = (outcome.evaluation.compute_seconds if outcome.evaluation else None) or 0.0
    by_name = {s.name.split(":")[0]: s.seconds for s in stages}
    data_stage, release_stage = by_name.get("data", 0.0), by_name.get("release", 0.0)
    overhead = total - data_stage - training - evaluation - release_stage
    print(f"time to model (upload → first answer): {total:.1f} s (target ≤ 600 s)")
    print(f"data processing (upload, PII scan/redaction, dedup, split): {data_stage:.1f} s")
    print(f"training compute (the job's own duration): {training:.1f} s")
    print(f"evaluation compute (the run's own duration): {evaluation:.1f} s")
    print(f"release (model card, deployment, serving replica start): {release_stage:.1f} s")
    print(f"orchestration overhead (queues, events, polling between stages): {overhead:.1f} s (target ≤ 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
