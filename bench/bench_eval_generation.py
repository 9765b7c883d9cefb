"""Batched generation vs one-by-one generate() on the same model and prompts, side by side.

Prints samples/s and tokens/s of both and their ratio (target: batched >= 3x). Both runs use greedy decoding
with the same max_new_tokens; the batched run pads on the left and groups prompts by length.

    .venv/bin/python bench/bench_eval_generation.py                      # SmolLM2, 16 samples, batch 16
    .venv/bin/python bench/bench_eval_generation.py --samples 64 --batch-size 16 --max-new-tokens 48
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROMPTS = [
    "Classify this maintenance log as leak, electrical or mechanical: oil dripping from the pump seal.",
    "Summarise in one sentence: the conveyor stopped twice because the belt slipped on the drive roller.",
    "What is the capital of France?",
    "Write a short polite reply to a customer whose parcel arrived late.",
    "Extract the machine id as JSON from: 'Machine M-204 reported high vibration at 14:02'.",
    "Give two tips for saving energy at home.",
    "Translate to French: good morning.",
    "Explain what a fuse does in one sentence.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m-instruct", help="shipped model name or local dir")
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=24)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is often fastest here)")
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from tuneline.common.base_models import resolve_base_model
    from tuneline.evaluation.runner.config import GenerationSettings
    from tuneline.evaluation.runner.generation import format_prompt, generate_batched, generate_one_by_one

    torch.set_num_threads(args.threads)
    model_dir = resolve_base_model(args.model)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    prompts = [
        format_prompt(tokenizer, [{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}], True)
        for i in range(args.samples)
    ]
    settings = GenerationSettings(max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)
    generate_batched(model, tokenizer, prompts[:2], settings)  # warm-up: first call pays one-off costs

    figures = {}
    for name, run in (
        ("one-by-one", lambda: generate_one_by_one(model, tokenizer, prompts, settings)),
        (f"batched(bs={args.batch_size})", lambda: generate_batched(model, tokenizer, prompts, settings)),
    ):
        began = time.perf_counter()
        outputs = run()
        elapsed = time.perf_counter() - began
        tokens = sum(o.generated_tokens for o in outputs)
        figures[name] = (len(outputs) / elapsed, tokens / elapsed, elapsed)
        print(
            f"{name:>16}: {len(outputs) / elapsed:7.2f} samples/s  {tokens / elapsed:8.1f} tokens/s  {elapsed:6.1f} s"
        )
    (_, single), (_, batched) = figures.items()
    print(f"model={args.model} samples={args.samples} max_new_tokens={args.max_new_tokens} threads={args.threads}")
    print(f"batched / one-by-one samples/s ratio: {batched[0] / single[0]:.2f}x (target >= 3x)")


if __name__ == "__main__":
    main()
