"""Training throughput: Tuneline's recipe vs. a plain TRL SFTTrainer, same model, data and hyperparameters.

    .venv/bin/python bench/bench_training.py                 # SmolLM2-135M, 6 steps x batch 8, 1 thread
    .venv/bin/python bench/bench_training.py --steps 30 --eval-records 80 --threads 2 --with-fp32

Each run happens in its own subprocess (so peak RSS is its own), one after the other, on the maintenance-log
classification task. Printed per run: training tokens/s (non-padding tokens / training-loop seconds), tokens
per CPU-second of the loop (robust when other processes share the machine: compare this one there), loop
seconds, held-out accuracy (greedy, exact label) and peak RSS; then the throughput ratios ours / TRL.
TRL runs with its defaults except the shared hyperparameters (its defaults are bf16 autocast and gradient
checkpointing on; it pads each batch and computes logits for every position).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--eval-records", type=int, default=21)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0 = torch default)")
    parser.add_argument("--with-fp32", action="store_true", help="also run our recipe without bf16 autocast")
    parser.add_argument("--child", choices=["base", "ours", "ours-fp32", "trl"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_child(args)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(result), flush=True)
        return

    with tempfile.TemporaryDirectory(prefix="bench-training-") as workdir:
        write_data(Path(workdir), args)
        variants = ["base", "ours", "trl"] + (["ours-fp32"] if args.with_fp32 else [])
        results = {}
        for variant in variants:
            started = time.monotonic()
            results[variant] = spawn(variant, workdir)
            print(f"  {variant} finished in {time.monotonic() - started:.0f} s", file=sys.stderr)
    report(results, args)


def write_data(workdir: Path, args: argparse.Namespace) -> None:
    from tuneline.common.samples import maintenance_classification

    train_n = args.steps * args.batch
    records = maintenance_classification(train_n + args.eval_records, seed=2024)
    (workdir / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:train_n]))
    (workdir / "heldout.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[train_n:]))


def spawn(variant: str, workdir: str) -> dict[str, Any]:
    argv = [arg for arg in sys.argv[1:] if arg != "--with-fp32"]
    output = subprocess.run(
        [sys.executable, __file__, *argv, "--child", variant, "--workdir", workdir],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in output.stdout.splitlines() if line.startswith("RESULT ")]
    if output.returncode != 0 or not lines:
        raise SystemExit(f"{variant} failed:\n{output.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return result


def run_child(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    workdir = Path(args.workdir)
    records = [json.loads(line) for line in (workdir / "train.jsonl").read_text().splitlines()]
    heldout = [json.loads(line) for line in (workdir / "heldout.jsonl").read_text().splitlines()]
    labels = sorted({r["label"] for r in records})
    adapter_dir, tokens, seconds, cpu_seconds = None, 0, float("nan"), float("nan")
    if args.child != "base":  # "base": the untrained model's accuracy, for reference
        trainer = train_trl if args.child == "trl" else train_ours
        adapter_dir, tokens, seconds, cpu_seconds = trainer(args, workdir, records, labels)

    from tuneline.common.records import ClassificationRecord
    from tuneline.common.samples import maintenance_template
    from tuneline.training.worker.accuracy import classification_accuracy, load_for_inference

    model, tokenizer = load_for_inference(args.model, adapter_dir)
    heldout_records = [ClassificationRecord(r["text"], r["label"]) for r in heldout]
    template = maintenance_template(labels)
    accuracy = classification_accuracy(model, tokenizer, heldout_records, template) if heldout else float("nan")
    return {
        "tokens": tokens,
        "seconds": seconds,
        "tokens_per_s": tokens / seconds if tokens else float("nan"),
        "tokens_per_cpu_s": tokens / cpu_seconds if tokens else float("nan"),
        "accuracy": accuracy,
        "threads": torch.get_num_threads(),
    }


def train_ours(
    args: argparse.Namespace, workdir: Path, records: list[dict[str, str]], labels: list[str]
) -> tuple[Path, int, float, float]:
    from tuneline.common.samples import maintenance_template
    from tuneline.training.worker.recipe import RecipeConfig, run

    result = run(
        RecipeConfig(
            base_model=args.model,
            train_path=str(workdir / "train.jsonl"),
            output_dir=str(workdir / args.child),
            labels=labels,
            prompt_template=maintenance_template(labels).model_dump(),
            max_steps=args.steps,
            batch_size=args.batch,
            learning_rate=args.lr,
            lora_r=args.rank,
            lora_alpha=2 * args.rank,
            lora_dropout=0.0,
            precision="fp32" if args.child == "ours-fp32" else "auto",
            torch_threads=args.threads or None,
        )
    )
    assert result.adapter_dir is not None
    durations = result.metadata["durations_s"]
    return result.adapter_dir, result.metadata["tokens_trained"], durations["train"], durations["train_cpu"]


def train_trl(
    args: argparse.Namespace, workdir: Path, records: list[dict[str, str]], labels: list[str]
) -> tuple[Path, int, float, float]:
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from tuneline.common.base_models import resolve_base_model
    from tuneline.common.samples import classification_prompt

    base_dir = resolve_base_model(args.model)
    # Conversational prompt/completion: TRL applies the chat template and trains on the completion only,
    # the same loss our recipe computes.
    dataset = Dataset.from_list(
        [
            {
                "prompt": [{"role": "user", "content": classification_prompt(r["text"], labels)}],
                "completion": [{"role": "assistant", "content": r["label"]}],
            }
            for r in records
        ]
    )
    config = SFTConfig(
        output_dir=str(workdir / "trl"),
        max_steps=args.steps,
        per_device_train_batch_size=args.batch,
        learning_rate=args.lr,
        lr_scheduler_type="cosine",
        warmup_steps=0,
        weight_decay=0.0,
        max_length=512,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=42,
        dataloader_num_workers=0,
    )
    trainer = SFTTrainer(
        model=AutoModelForCausalLM.from_pretrained(base_dir),
        args=config,
        train_dataset=dataset,
        processing_class=AutoTokenizer.from_pretrained(base_dir),
        peft_config=LoraConfig(
            task_type="CAUSAL_LM", r=args.rank, lora_alpha=2 * args.rank, lora_dropout=0.0, target_modules="all-linear"
        ),
    )
    cpu_started = time.process_time()
    metrics = trainer.train().metrics
    cpu_seconds = time.process_time() - cpu_started
    tokens = int(max(row.get("num_tokens", 0) for row in trainer.state.log_history))
    adapter_dir = workdir / "trl" / "adapter"
    trainer.model.save_pretrained(adapter_dir)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(adapter_dir)
    return adapter_dir, tokens, float(metrics["train_runtime"]), cpu_seconds


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\nmodel {args.model}, {args.steps} steps x batch {args.batch}, lr {args.lr}, LoRA r {args.rank}, "
        f"held-out {args.eval_records} records"
    )
    header = f"{'run':<10} {'tokens/s':>9} {'tok/CPU-s':>10} {'tokens':>7} {'loop s':>7} {'accuracy':>9}"
    print(header + f" {'peak RSS MB':>12} {'threads':>8}")
    for name, r in results.items():
        print(
            f"{name:<10} {r['tokens_per_s']:>9.1f} {r['tokens_per_cpu_s']:>10.1f} {r['tokens']:>7} "
            f"{r['seconds']:>7.1f} {r['accuracy']:>9.1%} {r['peak_rss_mb']:>12.0f} {r['threads']:>8}"
        )
    ours, trl = results["ours"], results["trl"]
    print(
        f"throughput ratio ours / TRL SFTTrainer: {ours['tokens_per_s'] / trl['tokens_per_s']:.2f}x wall, "
        f"{ours['tokens_per_cpu_s'] / trl['tokens_per_cpu_s']:.2f}x per CPU-second (target >= 1.5x)"
    )
    if "ours-fp32" in results:
        bf16_gain = ours["tokens_per_cpu_s"] / results["ours-fp32"]["tokens_per_cpu_s"]
        print(f"bf16 autocast / fp32 (ours, per CPU-second): {bf16_gain:.2f}x")


if __name__ == "__main__":
    main()
