"""Batched greedy (or sampled) generation with left padding, timed per batch.

Decoder-only models continue from the last position, so prompts are padded on the left; otherwise the
shorter prompts would be continued from pad tokens. Prompts are sorted by length before batching so a batch
holds similar lengths (less padding, faster) and results are put back in the caller's order.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tuneline.evaluation.runner.config import GenerationSettings


@dataclass(frozen=True)
class Generation:
    text: str
    generated_tokens: int
    latency_s: float


def format_prompt(tokenizer: Any, messages: Sequence[dict[str, str]], use_chat_template: bool) -> str:
    if use_chat_template and getattr(tokenizer, "chat_template", None):
        text: str = tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)
        return text
    return "\n".join(m["content"] for m in messages) + "\n"


def eos_ids(model: Any, tokenizer: Any) -> set[int]:
    configured = getattr(model.generation_config, "eos_token_id", None)
    ids = set(configured if isinstance(configured, list) else [configured] if configured is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


def prepare_tokenizer(tokenizer: Any) -> None:
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token


def _count_generated(new_tokens: list[int], stop_ids: set[int]) -> int:
    """Tokens up to and including the first end-of-sequence; later positions are padding."""
    for position, token in enumerate(new_tokens):
        if token in stop_ids:
            return position + 1
    return len(new_tokens)


def _generation_config(model: Any, tokenizer: Any, settings: GenerationSettings, max_new_tokens: int) -> Any:
    from transformers import GenerationConfig

    sampling = {"temperature": settings.temperature, "top_p": settings.top_p} if settings.do_sample else {}
    return GenerationConfig(
        max_new_tokens=max_new_tokens,
        do_sample=settings.do_sample,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=sorted(eos_ids(model, tokenizer)),
        **sampling,
    )


def generate_batched(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    settings: GenerationSettings,
    max_new_tokens: int | None = None,
) -> list[Generation]:
    """Generate for every formatted prompt; ``latency_s`` is the batch wall time / batch size."""
    import torch

    prepare_tokenizer(tokenizer)
    budget = max_new_tokens or settings.max_new_tokens
    config = _generation_config(model, tokenizer, settings, budget)
    stop_ids = eos_ids(model, tokenizer)
    lengths = [len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    order = sorted(range(len(prompts)), key=lambda i: lengths[i])
    results: list[Generation | None] = [None] * len(prompts)
    torch.manual_seed(settings.seed)
    for start in range(0, len(order), settings.batch_size):
        batch = order[start : start + settings.batch_size]
        encoded = tokenizer([prompts[i] for i in batch], return_tensors="pt", padding=True, add_special_tokens=False)
        encoded = encoded.to(model.device)
        began = time.perf_counter()
        with torch.inference_mode():
            output = model.generate(**encoded, generation_config=config)
        elapsed = time.perf_counter() - began
        new = output[:, encoded["input_ids"].shape[1] :].tolist()
        for row, index in enumerate(batch):
            count = _count_generated(new[row], stop_ids)
            text = tokenizer.decode(new[row][:count], skip_special_tokens=True).strip()
            results[index] = Generation(text=text, generated_tokens=count, latency_s=elapsed / len(batch))
    return [r for r in results if r is not None]


def generate_one_by_one(
    model: Any, tokenizer: Any, prompts: Sequence[str], settings: GenerationSettings
) -> list[Generation]:
    """The unbatched baseline: one generate() call per prompt (used by the benchmark)."""
    single = GenerationSettings(**{**settings.__dict__, "batch_size": 1})
    return generate_batched(model, tokenizer, prompts, single)
