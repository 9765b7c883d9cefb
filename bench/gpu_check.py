"""GPU check: QLoRA training, evaluation and serving of SmolLM2-135M on one CUDA GPU, in under 8 minutes.

    make setup-gpu && .venv/bin/python bench/gpu_check.py          # on a CUDA machine (torch's CUDA build)
    .venv/bin/python bench/gpu_check.py --steps 300 --batch 16 --peak-tflops 989

Three phases, each on the platform's own code paths and the shipped SmolLM2-135M-Instruct (no download):
1. Training: the training worker's recipe (`tuneline.training.worker.recipe.run`) with QLoRA (4-bit NF4 base,
   bf16 compute) for `--steps` optimizer steps on the maintenance-log classification task. Printed: training
   tokens/s, model FLOPs utilisation (6 · parameters · tokens/s over the GPU's peak dense bf16 FLOP/s), peak memory.
2. Evaluation: the evaluation runner (`run_evaluation`) of base vs tuned on held-out records, on CUDA in bf16.
   Printed: accuracy of both, seconds, peak memory.
3. Serving: a pool replica's engine and continuous batcher (registry/serving: AdapterEngine + ContinuousBatcher, the
   code a Ray Serve pool replica runs, here in this process) with the trained adapter, greedy, at concurrency 1
   and 8. Printed: decode tokens/s, the ratio, decode FLOPs utilisation (2 · parameters · tokens/s), peak memory.

On a machine without CUDA it says so and exits 0: nothing to check there. The peak FLOP/s come from the GPU's name
(H100/H200/A100/L4/L40S/A10G) or `--peak-tflops`; an unknown GPU prints no utilisation rather than a guess.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

#: Dense bf16 tensor-core peak (TFLOP/s, without sparsity) by a fragment of torch.cuda.get_device_name().
PEAK_BF16_TFLOPS = {
    "H200": 989.0,
    "H100 SXM": 989.0,
    "H100 NVL": 835.0,
    "H100 PCIE": 756.0,
    "H100": 756.0,
    "A100": 312.0,
    "L40S": 362.0,
    "L4": 121.0,
    "A10G": 70.0,
}
BUDGET_S = 8 * 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--steps", type=int, default=300, help="QLoRA optimizer steps")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--eval-records", type=int, default=64)
    parser.add_argument("--serve-requests", type=int, default=32, help="requests per concurrency level")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--peak-tflops", type=float, help="the GPU's dense bf16 peak, when its name is not known")
    args = parser.parse_args()

    import torch

    if not torch.cuda.is_available():
        build = "a CPU build of torch" if torch.version.cuda is None else f"torch built for CUDA {torch.version.cuda}"
        print(f"gpu_check: no CUDA device visible ({build}); nothing to check on this machine.")
        print("  On a GPU machine: `make setup-gpu`, then run this script again.")
        return 0
    name = torch.cuda.get_device_name(0)
    peak = args.peak_tflops or next((v for k, v in PEAK_BF16_TFLOPS.items() if k.upper() in name.upper()), None)
    total_gib = torch.cuda.get_device_properties(0).total_memory / 2**30
    print(f"device: {name}, {total_gib:.0f} GiB; torch {torch.__version__} (CUDA {torch.version.cuda})")
    print(f"peak dense bf16: {f'{peak:.0f} TFLOP/s' if peak else 'unknown (pass --peak-tflops)'}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        work = Path(tmp)
        labels, heldout = write_data(work, args)
        trained = train(args, work, labels, peak)
        evaluate(args, trained, labels, heldout)
        asyncio.run(serve(args, trained, labels, heldout, peak))
    elapsed = time.monotonic() - started
    print(f"\ntotal: {elapsed:.0f} s (budget {BUDGET_S} s: {'met' if elapsed <= BUDGET_S else 'NOT met'})")
    return 0


def write_data(work: Path, args: argparse.Namespace) -> tuple[list[str], list[dict[str, str]]]:
    from tuneline.common.samples import maintenance_classification

    train_n = min(args.steps * args.batch, 4000)  # epochs repeat the set when more steps are asked for
    records = maintenance_classification(train_n + args.eval_records, seed=2026)
    (work / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:train_n]))
    return sorted({r["label"] for r in records}), records[train_n:]


def _peak_gib() -> float:
    import torch

    return torch.cuda.max_memory_allocated() / 2**30


def _reset_peak() -> None:
    import torch

    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()


def _params(model_ref: str) -> int:
    from transformers import AutoConfig, AutoModelForCausalLM

    from tuneline.common.base_models import resolve_base_model

    config = AutoConfig.from_pretrained(resolve_base_model(model_ref), local_files_only=True)
    import torch

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


def train(args: argparse.Namespace, work: Path, labels: list[str], peak: float | None) -> Path:
    from tuneline.common.samples import maintenance_template
    from tuneline.training.worker.recipe import RecipeConfig, run

    _reset_peak()
    print(f"\n== training: QLoRA, {args.steps} steps x batch {args.batch}")
    result = run(
        RecipeConfig(
            base_model=args.model,
            train_path=str(work / "train.jsonl"),
            output_dir=str(work / "train"),
            labels=labels,
            prompt_template=maintenance_template(labels).model_dump(),
            method="qlora",
            max_steps=args.steps,
            epochs=100,
            batch_size=args.batch,
            learning_rate=5e-4,
            lora_r=16,
            lora_alpha=32,
        )
    )
    if result.adapter_dir is None:
        raise SystemExit(f"training ended with status {result.status} and no adapter")
    seconds = result.metadata["durations_s"]["train"]
    tokens = result.metadata["tokens_trained"]
    rate = tokens / seconds
    n = _params(args.model)
    print(f"method: {result.metadata.get('method', 'qlora')}; status: {result.status}; steps: {result.step}")
    print(f"training tokens/s: {rate:,.0f} ({tokens:,} tokens in {seconds:.1f} s)")
    if peak:
        print(f"training model FLOPs utilisation: {6 * n * rate / (peak * 1e12):.2%} (6 x {n / 1e6:.0f}M params)")
    print(f"training peak GPU memory: {_peak_gib():.2f} GiB")
    return Path(result.adapter_dir)


def evaluate(args: argparse.Namespace, adapter: Path, labels: list[str], heldout: list[dict[str, str]]) -> None:
    from tuneline.common.samples import maintenance_template
    from tuneline.evaluation.runner.config import EvalConfig, GenerationSettings
    from tuneline.evaluation.runner.recipe import run_evaluation

    _reset_peak()
    print(f"\n== evaluation: base vs tuned on {len(heldout)} held-out records (bf16 on CUDA)")
    started = time.monotonic()
    outcome = run_evaluation(
        EvalConfig(
            base_model=args.model,
            adapter_dir=str(adapter),
            task="classification",
            labels=labels,
            prompt_template=maintenance_template(labels).model_dump(),
            generation=GenerationSettings(max_new_tokens=8, batch_size=32),
            suite_limit=20,
            general_text_limit=10,
        ),
        heldout,
    )
    metric = outcome.primary_metric
    print(f"{metric}: base {outcome.base.metrics[metric]:.3f}, tuned {outcome.tuned.metrics[metric]:.3f}")
    verdict = outcome.gate.passed if outcome.gate is not None else None
    print(f"forgetting gate passed: {verdict}; evaluation seconds: {time.monotonic() - started:.1f}")
    print(f"evaluation peak GPU memory: {_peak_gib():.2f} GiB")


async def serve(
    args: argparse.Namespace, adapter: Path, labels: list[str], heldout: list[dict[str, str]], peak: float | None
) -> None:
    from tuneline.common.base_models import resolve_base_model
    from tuneline.common.samples import classification_prompt
    from tuneline.registry.serving.batcher import ContinuousBatcher
    from tuneline.registry.serving.engine import AdapterEngine, GenerationParams

    _reset_peak()
    print(f"\n== serving: pool replica engine + continuous batching, {args.serve_requests} requests per level")
    engine = AdapterEngine(str(resolve_base_model(args.model)), max_loaded=2)
    prompts = [
        engine.encode_chat([{"role": "user", "content": classification_prompt(r["text"], labels)}]) for r in heldout
    ]
    params = GenerationParams(max_new_tokens=args.max_tokens, temperature=0)
    batcher = ContinuousBatcher(engine, max_batch=16)
    await batcher.generate("v1", str(adapter), prompts[0], params)  # warm-up: adapter load, CUDA kernels

    async def level(concurrency: int) -> float:
        queue = list(range(args.serve_requests))
        tokens = 0

        async def client() -> None:
            nonlocal tokens
            while queue:
                i = queue.pop()
                result = await batcher.generate("v1", str(adapter), prompts[i % len(prompts)], params)
                tokens += result.tokens_out  # after the await: `tokens += await …` would read a stale total

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return tokens / (time.perf_counter() - began)

    try:
        one, eight = await level(1), await level(8)
    finally:
        batcher.close()
    n = _params(args.model)
    print(f"decode tokens/s concurrency 1: {one:,.1f}; concurrency 8: {eight:,.1f}")
    print(f"tokens/s concurrency 8 / concurrency 1: {eight / one:.2f}x")
    if peak:
        print(f"decode FLOPs utilisation at concurrency 8: {2 * n * eight / (peak * 1e12):.3%}")
    print(f"serving peak GPU memory: {_peak_gib():.2f} GiB")


if __name__ == "__main__":
    sys.exit(main())
