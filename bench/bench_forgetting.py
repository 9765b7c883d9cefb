"""Task gain vs. forgetting: the demo's recipe with and without self-distilled general replay, side by side.

    .venv/bin/python bench/bench_forgetting.py                      # replay 0 and 0.5, the demo's data and recipe
    .venv/bin/python bench/bench_forgetting.py --replay 0 0.25 0.5 --epochs 3 --test-records 60

Each variant trains a LoRA adapter on SmolLM2-135M with the training service's recipe (same data, seed and
hyperparameters; only `general_replay` differs), then the evaluation service's runner compares base and tuned:
held-out task accuracy, the general-capability suite and general-text perplexity, i.e. exactly what the release
gate reads. Printed per variant: training seconds, optimizer steps, accuracy base → tuned, suite base → tuned
(drop), perplexity ratio, and whether the default gate passes. Each variant runs in its own subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replay", type=float, nargs="+", default=[0.0, 0.5])
    parser.add_argument("--records", type=int, default=160, help="demo dataset size before the split")
    parser.add_argument("--test-records", type=int, default=40, help="held-out records (another seed)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print("RESULT " + json.dumps(run_child(args, args.child)), flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="bench-forgetting-") as workdir:
        write_data(Path(workdir), args)
        rows = []
        for ratio in args.replay:
            started = time.monotonic()
            rows.append(spawn(ratio, workdir, args))
            print(f"  replay {ratio} finished in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    report(rows, args)


def write_data(workdir: Path, args: argparse.Namespace) -> None:
    from tuneline.common.samples import maintenance_classification

    train = maintenance_classification(n=args.records, seed=7)
    cut = int(len(train) * 0.9)
    splits = {
        "train": train[:cut],
        "validation": train[cut:],
        "test": maintenance_classification(args.test_records, 4242),
    }
    for name, records in splits.items():
        with (workdir / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r) + "\n" for r in records)


def spawn(ratio: float, workdir: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", str(ratio), "--workdir", workdir]
    for name in ("records", "test_records", "epochs", "batch", "lr", "rank", "threads"):
        argv += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise RuntimeError(f"replay {ratio} failed:\n{done.stderr[-3000:]}")


def run_child(args: argparse.Namespace, ratio: float) -> dict[str, Any]:
    from tuneline.evaluation.gate.decision import GateThresholds
    from tuneline.evaluation.runner.config import EvalConfig, GenerationSettings
    from tuneline.evaluation.runner.recipe import run_evaluation
    from tuneline.training.worker.recipe import RecipeConfig, run

    workdir = Path(args.workdir)
    out = workdir / f"replay-{ratio}"
    started = time.monotonic()
    trained = run(
        RecipeConfig(
            base_model="smollm2-135m-instruct",
            train_path=str(workdir / "train.jsonl"),
            validation_path=str(workdir / "validation.jsonl"),
            output_dir=str(out),
            epochs=args.epochs,
            batch_size=args.batch,
            learning_rate=args.lr,
            lora_r=args.rank,
            max_seq_len=256,
            general_replay=ratio,
            replay_cache_dir=str(workdir / "replay-cache"),
            torch_threads=args.threads or None,
        )
    )
    train_s = time.monotonic() - started
    if trained.adapter_dir is None:
        raise RuntimeError(f"training ended {trained.status}")
    rows = [json.loads(line) for line in (workdir / "test.jsonl").read_text().splitlines()]
    outcome = run_evaluation(
        EvalConfig(
            base_model="smollm2-135m-instruct",
            adapter_dir=str(trained.adapter_dir),
            task="classification",
            generation=GenerationSettings(max_new_tokens=8),
            gate=GateThresholds(),
            torch_threads=args.threads or None,
        ),
        rows,
    )
    base, tuned = outcome.base, outcome.tuned
    assert base.capability is not None and tuned.capability is not None and outcome.gate is not None
    return {
        "replay": ratio,
        "train_s": train_s,
        "steps": trained.step,
        "replay_examples": trained.metadata.get("data", {}).get("replay_examples", 0),
        "accuracy": (base.metrics.get("accuracy"), tuned.metrics.get("accuracy")),
        "suite": (base.capability.suite_score, tuned.capability.suite_score),
        "perplexity": (base.capability.perplexity, tuned.capability.perplexity),
        "gate_passed": outcome.gate.passed,
        "gate_reasons": list(outcome.gate.reasons),
    }


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\nForgetting vs. task gain: SmolLM2-135M LoRA r{args.rank}, lr {args.lr}, {args.epochs} epochs, batch "
        f"{args.batch}, {args.records} records, {args.test_records} held-out, {os.cpu_count()} cores"
    )
    print("| general replay | steps | train s | accuracy base → tuned | suite base → tuned (drop) | ppl ratio | gate |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        (ab, at), (sb, st), (pb, pt) = r["accuracy"], r["suite"], r["perplexity"]
        print(
            f"| {r['replay']:g} ({r['replay_examples']} ex) | {r['steps']} | {r['train_s']:.0f} | {ab:.1%} → {at:.1%} "
            f"| {sb:.1%} → {st:.1%} ({(st - sb) * 100:+.1f} points) | {pt / pb:.2f} "
            f"| {'pass' if r['gate_passed'] else 'block'} |"
        )
    for r in rows:
        for reason in r["gate_reasons"]:
            print(f"  replay {r['replay']:g}: {reason}")


if __name__ == "__main__":
    main()
