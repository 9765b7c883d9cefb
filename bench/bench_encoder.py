"""Encoder vs causal LM on the demo's classification task (maintenance logs): the two training routes side by side.

    .venv/bin/python bench/bench_encoder.py                         # 30 steps x batch 8, 80 held-out, 1 thread
    .venv/bin/python bench/bench_encoder.py --steps 60 --encoder-method full --threads 2

Routes, each trained and measured in its own subprocess (so peak RSS is its own), one after the other, on the same
records (`tuneline.common.samples.maintenance_classification`, the demo's data):
 - encoder: all-MiniLM-L6-v2 (shipped wheel) with a classification head, LoRA r16 (or --encoder-method full),
   trained by worker/classifier.py; predictions are the head's argmax;
 - causal:  SmolLM2-135M-Instruct LoRA r16, lr 5e-4 (the demo's preset), trained by worker/recipe.py; predictions
   are greedy generations of the label from the use case's prompt.
Printed per route: held-out accuracy (exact label), training-loop seconds, p50/p95 latency of one request at a time
(batch 1, the served model's path: head forward pass vs greedy generation of the label), peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--eval-records", type=int, default=80)
    parser.add_argument("--latency-requests", type=int, default=30)
    parser.add_argument("--encoder-lr", type=float, default=2e-3)
    parser.add_argument("--encoder-method", choices=["lora", "full"], default="lora")
    parser.add_argument("--causal-lr", type=float, default=5e-4)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0 = torch default)")
    parser.add_argument("--only", choices=["encoder", "causal"], help="run one route")
    parser.add_argument("--child", choices=["encoder", "causal"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_child(args)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(result), flush=True)
        return

    with tempfile.TemporaryDirectory(prefix="bench-encoder-") as workdir:
        write_data(Path(workdir), args)
        results = {}
        for route in [args.only] if args.only else ["encoder", "causal"]:
            started = time.monotonic()
            results[route] = spawn(route, workdir, args)
            # each route's figures as soon as they exist: the causal route can take many minutes on a busy machine
            print(
                f"  {route} finished in {time.monotonic() - started:.0f} s: {json.dumps(results[route])}",
                file=sys.stderr,
            )
    report(results, args)


def write_data(workdir: Path, args: argparse.Namespace) -> None:
    from tuneline.common.samples import maintenance_classification

    train_n = args.steps * args.batch
    records = maintenance_classification(train_n + args.eval_records, seed=2024)
    (workdir / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:train_n]))
    (workdir / "heldout.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[train_n:]))


def spawn(route: str, workdir: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = [
        f"--{name.replace('_', '-')}={value}"
        for name, value in vars(args).items()
        if name not in ("only", "child", "workdir") and value is not None
    ]
    output = subprocess.run(
        [sys.executable, __file__, *argv, "--child", route, "--workdir", workdir],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in output.stdout.splitlines() if line.startswith("RESULT ")]
    if output.returncode != 0 or not lines:
        raise SystemExit(f"{route} failed:\n{output.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return result


def run_child(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    workdir = Path(args.workdir)
    train = [json.loads(line) for line in (workdir / "train.jsonl").read_text().splitlines()]
    heldout = [json.loads(line) for line in (workdir / "heldout.jsonl").read_text().splitlines()]
    labels = sorted({r["label"] for r in train})
    run = encoder_route if args.child == "encoder" else causal_route
    result = run(args, workdir, heldout, labels)
    result["threads"] = torch.get_num_threads()
    return result


def encoder_route(
    args: argparse.Namespace, workdir: Path, heldout: list[dict[str, str]], labels: list[str]
) -> dict[str, Any]:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from tuneline.common.base_models import MINILM_REF, resolve_base_model
    from tuneline.training.worker.classifier import load_classifier, run
    from tuneline.training.worker.recipe import RecipeConfig

    result = run(
        RecipeConfig(
            base_model=MINILM_REF,
            train_path=str(workdir / "train.jsonl"),
            output_dir=str(workdir / "encoder"),
            labels=labels,
            method=args.encoder_method,
            max_steps=args.steps,
            batch_size=args.batch,
            learning_rate=args.encoder_lr,
            lora_r=16,
            precision="fp32",
            torch_threads=args.threads or None,
        )
    )
    assert result.adapter_dir is not None
    tokenizer = AutoTokenizer.from_pretrained(result.adapter_dir)
    if args.encoder_method == "full":
        model = AutoModelForSequenceClassification.from_pretrained(result.adapter_dir)
    else:
        base = load_classifier(resolve_base_model(MINILM_REF), labels, torch)
        model = PeftModel.from_pretrained(base, result.adapter_dir).merge_and_unload()
    model.eval()

    def predict(text: str) -> str:
        with torch.inference_mode():
            logits = model(**tokenizer(text, return_tensors="pt", truncation=True)).logits
        return labels[int(logits.argmax(-1))]

    predictions = [predict(r["text"]) for r in heldout]
    accuracy = sum(p == r["label"] for p, r in zip(predictions, heldout, strict=True)) / len(heldout)
    latencies = timed(predict, [r["text"] for r in heldout], args.latency_requests)
    return summary(result.metadata, accuracy, latencies, f"MiniLM-L6 {args.encoder_method}")


def causal_route(
    args: argparse.Namespace, workdir: Path, heldout: list[dict[str, str]], labels: list[str]
) -> dict[str, Any]:
    import torch

    from tuneline.common.base_models import SMOLLM2_REF
    from tuneline.common.records import ClassificationRecord
    from tuneline.common.samples import maintenance_template
    from tuneline.training.worker.accuracy import classification_accuracy, load_for_inference
    from tuneline.training.worker.recipe import RecipeConfig, run

    template = maintenance_template(labels)
    result = run(
        RecipeConfig(
            base_model=SMOLLM2_REF,
            train_path=str(workdir / "train.jsonl"),
            output_dir=str(workdir / "causal"),
            labels=labels,
            prompt_template=template.model_dump(),
            max_steps=args.steps,
            batch_size=args.batch,
            learning_rate=args.causal_lr,
            lora_r=16,
            lora_dropout=0.0,
            torch_threads=args.threads or None,
        )
    )
    assert result.adapter_dir is not None
    model, tokenizer = load_for_inference(SMOLLM2_REF, result.adapter_dir)
    records = [ClassificationRecord(r["text"], r["label"]) for r in heldout]
    accuracy = classification_accuracy(model, tokenizer, records, template)
    longest = max(len(tokenizer(label, add_special_tokens=False)["input_ids"]) for label in labels)

    def predict(text: str) -> str:
        prompt = tokenizer.apply_chat_template(template.messages(text), tokenize=False, add_generation_prompt=True)
        batch = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        with torch.inference_mode():
            out = model.generate(
                **batch, max_new_tokens=longest + 1, do_sample=False, pad_token_id=tokenizer.pad_token_id
            )
        return str(tokenizer.decode(out[0, batch["input_ids"].shape[1] :], skip_special_tokens=True)).strip()

    latencies = timed(predict, [r["text"] for r in heldout], args.latency_requests)
    return summary(result.metadata, accuracy, latencies, "SmolLM2-135M LoRA")


def timed(predict: Any, texts: list[str], n: int) -> list[float]:
    predict(texts[0])  # warm-up: first-call allocations are not a request's latency
    latencies = []
    for text in (texts * (n // len(texts) + 1))[:n]:
        started = time.perf_counter()
        predict(text)
        latencies.append(time.perf_counter() - started)
    return latencies


def summary(metadata: dict[str, Any], accuracy: float, latencies: list[float], name: str) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "name": name,
        "accuracy": accuracy,
        "train_seconds": metadata["durations_s"]["train"],
        "total_seconds": metadata["durations_s"]["total"],
        "trainable_parameters": metadata.get("trainable_parameters"),
        "latency_p50_ms": statistics.median(latencies) * 1000,
        "latency_p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000,
    }


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"maintenance-log classification: {args.steps} steps x batch {args.batch} = {args.steps * args.batch} "
        f"training records, {args.eval_records} held-out; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"{'route':<22}{'held-out acc':>13}{'train s':>9}{'run s':>8}{'p50 ms':>9}{'p95 ms':>9}{'peak RSS MB':>13}")
    for route, r in results.items():
        print(
            f"{route + ' (' + r['name'] + ')':<22.22}{r['accuracy']:>13.1%}{r['train_seconds']:>9.1f}"
            f"{r['total_seconds']:>8.1f}{r['latency_p50_ms']:>9.1f}{r['latency_p95_ms']:>9.1f}{r['peak_rss_mb']:>13.0f}"
        )
    if {"encoder", "causal"} <= set(results):
        e, c = results["encoder"], results["causal"]
        print(
            f"encoder / causal: training seconds x{e['train_seconds'] / c['train_seconds']:.2f}, p50 latency "
            f"x{e['latency_p50_ms'] / c['latency_p50_ms']:.2f}, peak RSS x{e['peak_rss_mb'] / c['peak_rss_mb']:.2f}, "
            f"accuracy {100 * (e['accuracy'] - c['accuracy']):+.1f} points"
        )


if __name__ == "__main__":
    main()
