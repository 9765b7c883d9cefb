"""A hyperparameter study's best trial against the default preset, on the demo's classification task.

    .venv/bin/python bench/bench_study.py                       # SmolLM2-135M, 6 trials, 64 training records
    .venv/bin/python bench/bench_study.py --trials 8 --train 96 --threads 2

The study is the training service's own machinery, without the queue around it: Optuna through `StudyStorage` (in
memory here, PostgreSQL in the service), the TPE sampler seeded as the service seeds it (`SamplerSpec` with
`tpe_startup_trials`), median pruning with the API's default `PruningOptions`, and the search space a person would
ask for first (learning rate 5e-5..1e-3, the top of its allowed range, on a log scale; LoRA rank 8/16/32). Every
trial is trained by the recipe the worker runs, with the balanced preset's other values; at each evaluation its
validation loss is reported and a trial the pruner stops is cancelled through the recipe's control hook, as the
worker does through the cancel path. The default is the balanced preset as a job without a study gets it ("auto"
learning rate). Both are trained on the same records and judged on the same held-out records: greedy exact-label
accuracy and the best validation loss. Printed: every trial, then best vs default side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass
class Outcome:
    label: str
    params: dict[str, Any]
    state: str  # complete | pruned
    steps: int
    best_val_loss: float | None
    seconds: float
    adapter_dir: Path | None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m-instruct", help="base model reference or directory")
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--train", type=int, default=64, help="training records")
    parser.add_argument("--validation", type=int, default=24, help="validation records (the study's objective)")
    parser.add_argument("--heldout", type=int, default=40, help="held-out records (the figure compared)")
    parser.add_argument("--evals", type=int, default=4, help="evaluations per trial (the pruner's steps)")
    parser.add_argument("--seed", type=int, default=7, help="the study's seed")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    if args.trials < 2:
        parser.error("--trials must be at least 2")
    return asyncio.run(run(args))


async def run(args: argparse.Namespace) -> int:
    import torch

    from tuneline.common.samples.maintenance_logs import maintenance_classification

    torch.set_num_threads(args.threads)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-study-") as tmp:
        work = Path(tmp)
        records = maintenance_classification(args.train + args.validation + args.heldout, seed=2025)
        parts = {
            "train": records[: args.train],
            "validation": records[args.train : args.train + args.validation],
            "heldout": records[args.train + args.validation :],
        }
        for name, rows in parts.items():
            (work / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

        default = await asyncio.to_thread(train_default, args, work)
        trials = await study(args, work)
        complete = [t for t in trials if t.state == "complete" and t.best_val_loss is not None]
        if not complete:
            print("no trial completed", file=sys.stderr)
            return 1
        best = min(complete, key=lambda t: t.best_val_loss or float("inf"))
        heldout = parts["heldout"]
        accuracy = {
            "default": await asyncio.to_thread(held_out_accuracy, args, default.adapter_dir, heldout),
            "best": await asyncio.to_thread(held_out_accuracy, args, best.adapter_dir, heldout),
        }
    report(args, default, trials, best, accuracy, time.monotonic() - started)
    return 0


# ------------------------------------------------------------------------------------------------ training


def preset_recipe(args: argparse.Namespace, work: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """The recipe fields a job of the balanced preset gets from the worker (loop.Worker._spec), `overrides` on top."""
    from tuneline.training.estimate.hyperparameters import optimizer_steps, resolve
    from tuneline.training.estimate.presets import Preset, preset_hyperparameters
    from tuneline.training.jobs.service import model_shape

    shape = model_shape(args.model)  # what the service resolves "auto" with: the model's parameter count
    if shape is None:
        raise SystemExit(f"no config.json found for base model {args.model!r}")
    preset = preset_hyperparameters(Preset.BALANCED, model_params=shape.params)
    steps = optimizer_steps(args.train, preset.batch_size, preset.grad_accumulation, preset.epochs)
    eval_interval = max(1, steps // args.evals)
    hp = preset_hyperparameters(Preset.BALANCED, {**overrides, "eval_interval": eval_interval}, shape.params)
    r = resolve(hp, model_params=shape.params, train_examples=args.train)
    return {
        "base_model": args.model,
        "task": "classification",
        "train_path": str(work / "train.jsonl"),
        "validation_path": str(work / "validation.jsonl"),
        "lora_r": r.lora_rank,
        "lora_alpha": r.lora_alpha,
        "lora_dropout": r.lora_dropout,
        "general_replay": r.general_replay,
        "target_modules": r.target_modules,
        "epochs": r.epochs,
        "batch_size": r.batch_size,
        "grad_accumulation": r.grad_accumulation,
        "learning_rate": r.learning_rate,
        "warmup_steps": r.warmup_steps,
        "weight_decay": r.weight_decay,
        "max_seq_len": r.max_seq_len,
        "seed": r.seed,
        "eval_every_steps": r.eval_interval,
        "early_stopping_patience": r.early_stopping_patience,
        "checkpoint_every_steps": 0,
        "torch_threads": args.threads,
        "progress_interval_s": 30.0,
    }


def train(
    label: str,
    recipe: dict[str, Any],
    output_dir: Path,
    on_eval: Any = None,
) -> Outcome:
    """One recipe run; `on_eval(step, val_loss)` returning True cancels it (the pruner's verdict)."""
    from tuneline.training.worker.recipe import Progress, RecipeConfig, RecipeHooks
    from tuneline.training.worker.recipe import run as run_recipe

    stop = {"cancel": False}

    def progress(p: Progress) -> None:
        if p.event == "eval" and p.val_loss is not None and on_eval is not None and on_eval(p.step, p.val_loss):
            stop["cancel"] = True

    started = time.monotonic()
    result = run_recipe(
        RecipeConfig(**recipe, output_dir=str(output_dir)),
        RecipeHooks(on_progress=progress, control=lambda: "cancel" if stop["cancel"] else None),
    )
    losses = [row["val_loss"] for row in result.metadata["eval_history"]]
    best = min(losses) if losses else None  # a pruned trial's best too (final_metrics only tracks improvements)
    state = "pruned" if result.status == "cancelled" else "complete"
    return Outcome(label, {}, state, result.step, best, time.monotonic() - started, result.adapter_dir)


def train_default(args: argparse.Namespace, work: Path) -> Outcome:
    recipe = preset_recipe(args, work, {})
    outcome = train("default (balanced preset)", recipe, work / "default")
    outcome.params = {"learning_rate": f"auto ({recipe['learning_rate']:g})", "lora_rank": recipe["lora_r"]}
    print(f"  default: {outcome.steps} steps, best val loss {outcome.best_val_loss}", file=sys.stderr)
    return outcome


async def study(args: argparse.Namespace, work: Path) -> list[Outcome]:
    from tuneline.training.studies.optuna_repository import PrunerSpec, SamplerSpec, StudyStorage, memory_storage
    from tuneline.training.studies.schemas import PruningOptions
    from tuneline.training.studies.search import SearchRange, dimensions
    from tuneline.training.studies.service import tpe_startup_trials

    space = {
        "learning_rate": SearchRange(low=5e-5, high=1e-3),
        "lora_rank": SearchRange(choices=[8, 16, 32]),
    }
    dims = dimensions(space, {})
    options = PruningOptions()
    pruner = PrunerSpec(options.enabled, options.startup_trials, options.warmup_steps)
    sampler = SamplerSpec(seed=args.seed, startup_trials=tpe_startup_trials(args.trials))
    storage = StudyStorage(memory_storage())
    loop = asyncio.get_running_loop()
    outcomes: list[Outcome] = []
    try:
        await storage.create("bench")
        for _ in range(args.trials):
            number, params = await storage.ask("bench", dims, sampler)

            def on_eval(step: int, loss: float, number: int = number) -> bool:
                verdict = asyncio.run_coroutine_threadsafe(storage.report("bench", number, step, loss, pruner), loop)
                return bool(verdict.result())

            recipe = preset_recipe(
                args, work, {"learning_rate": params["learning_rate"], "lora_rank": params["lora_rank"]}
            )
            outcome = await asyncio.to_thread(train, f"trial {number}", recipe, work / f"trial-{number}", on_eval)
            outcome.params = params
            if outcome.state == "complete" and outcome.best_val_loss is not None:
                await storage.tell("bench", number, "complete", outcome.best_val_loss)
            else:
                await storage.tell("bench", number, "pruned")
            outcomes.append(outcome)
            print(
                f"  trial {number}: {params} {outcome.state} after {outcome.steps} steps, "
                f"best val loss {outcome.best_val_loss}",
                file=sys.stderr,
            )
    finally:
        storage.close()
    return outcomes


# ------------------------------------------------------------------------------------------------ judging


def held_out_accuracy(args: argparse.Namespace, adapter_dir: Path | None, heldout: list[dict[str, str]]) -> float:
    from tuneline.common.records import ClassificationRecord
    from tuneline.common.samples.maintenance_logs import MAINTENANCE_LABELS, maintenance_template
    from tuneline.training.worker.accuracy import classification_accuracy, load_for_inference

    if adapter_dir is None:
        raise SystemExit("a run ended without an adapter")
    model, tokenizer = load_for_inference(args.model, adapter_dir)
    records = [ClassificationRecord(r["text"], r["label"]) for r in heldout]
    return classification_accuracy(model, tokenizer, records, maintenance_template(MAINTENANCE_LABELS))


def report(
    args: argparse.Namespace,
    default: Outcome,
    trials: list[Outcome],
    best: Outcome,
    accuracy: dict[str, float],
    seconds: float,
) -> None:
    import torch

    def loss(value: float | None) -> str:
        return "-" if value is None else f"{value:.4f}"

    print(
        f"model {args.model}; {args.train} training / {args.validation} validation / {args.heldout} held-out records; "
        f"torch threads {torch.get_num_threads()}; {os.cpu_count()} cores; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"{'run':28} {'learning rate':>14} {'rank':>5} {'state':>9} {'steps':>6} {'best val loss':>14} {'s':>6}")
    for t in [default, *trials]:
        lr = t.params["learning_rate"]
        lr_text = lr if isinstance(lr, str) else f"{lr:.2e}"
        print(
            f"{t.label:28} {lr_text:>14} {t.params['lora_rank']:>5} {t.state:>9} {t.steps:>6} "
            f"{loss(t.best_val_loss):>14} {t.seconds:>6.0f}"
        )
    pruned = sum(t.state == "pruned" for t in trials)
    print(f"study: {len(trials)} trials, {pruned} pruned, best {best.label} {best.params}")
    print(f"held-out accuracy default (balanced preset): {accuracy['default']:.3f}")
    print(f"held-out accuracy study best trial: {accuracy['best']:.3f}")
    print(f"best val loss default / study best: {loss(default.best_val_loss)} / {loss(best.best_val_loss)}")
    trial_seconds = sum(t.seconds for t in trials)
    print(
        f"study training time {trial_seconds:.0f} s vs default {default.seconds:.0f} s "
        f"({trial_seconds / max(default.seconds, 1e-9):.1f}x); whole bench {seconds:.0f} s"
    )


if __name__ == "__main__":
    raise SystemExit(main())
