"""Checking an export against the version as served: the same prompts, greedy decoding, token by token.

The reference is what the serving engine answers (`AdapterEngine`: the base model with the version's adapter, the
chat template, greedy). Its token ids come from the same base + adapter run directly (the engine answers text), and
that run must reproduce the engine's text and token count, or the check refuses to judge. An export then answers the
same prompts through its own tokenizer and weights:

- `matched`: the same generated tokens and text as served;
- `prompt_tokens_match`: its tokenizer encoded the prompt to the served ids (a GGUF's tokenizer is rebuilt from
  metadata, so this is part of what is checked);
- `token_agreement`: with the served continuation fed in (teacher forcing), the share of positions where the
  export's top token is the served one; 1.0 for a faithful export, below it where quantisation moved a decision.
  `common_prefix` counts the generated tokens equal before the first difference.

A lossless export (merged, adapter, GGUF F32) must match on every prompt; a quantised GGUF reports what it got.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tuneline.registry.exports.formats import ExportError

#: Inputs of the check: neutral operational texts of the kind Tuneline's use cases see. Never training records.
SAMPLE_INPUTS = (
    "Pump 3 reports a vibration alarm after the night shift restart.",
    "Hydraulic pressure on press line B drops below 80 bar during each cycle.",
    "Operator notes: conveyor belt slips when the load exceeds two pallets.",
    "Temperature sensor T-14 reads 12 degrees above the neighbouring sensors.",
    "Summarise: filter replaced, leak fixed, machine back in production at 10:40.",
)


@dataclass(frozen=True)
class Reference:
    prompt: str
    prompt_ids: list[int]
    ids: list[int]
    text: str


@dataclass(frozen=True)
class Candidate:
    """An export loaded back: its tokenizer and model (eval mode)."""

    tokenizer: Any
    model: Any


def served_references(base_dir: str, adapter_dir: str, prompts: list[str], max_new_tokens: int) -> list[Reference]:
    """The served answers to `prompts` (one user message each), with their token ids."""
    from peft import PeftModel

    from tuneline.registry.serving.engine import AdapterEngine, GenerationParams
    from tuneline.registry.serving.loading import load_base_model

    engine = AdapterEngine(base_dir, max_loaded=1)
    params = GenerationParams(max_new_tokens=max_new_tokens, temperature=0.0)
    served = []
    for prompt in prompts:
        ids = engine.encode_chat([{"role": "user", "content": prompt}])
        served.append((ids, engine.generate("export-verification", adapter_dir, ids, params)))
    del engine
    tokenizer, base = load_base_model(base_dir)
    model = PeftModel.from_pretrained(base, adapter_dir, is_trainable=False)
    model.eval()
    references = []
    for prompt, (ids, answer) in zip(prompts, served, strict=True):
        new_ids = greedy(model, ids, max_new_tokens, pad_id(tokenizer))
        text = tokenizer.decode(new_ids, skip_special_tokens=True)
        if text != answer.text or len(new_ids) != answer.tokens_out:
            raise ExportError(
                "verification: base + adapter run directly does not reproduce the serving engine's answer; "
                "no export can be judged against it"
            )
        references.append(Reference(prompt, ids, new_ids, answer.text))
    return references


def compare(references: list[Reference], candidate: Candidate, max_new_tokens: int, *, exact: bool) -> dict[str, Any]:
    """The verification record of one export (see the module docstring for each field)."""
    results = []
    for ref in references:
        prompt_ids = encode_chat(candidate.tokenizer, [{"role": "user", "content": ref.prompt}])
        new_ids = greedy(candidate.model, prompt_ids, max_new_tokens, pad_id(candidate.tokenizer))
        text = candidate.tokenizer.decode(new_ids, skip_special_tokens=True)
        prefix = next((i for i, (a, b) in enumerate(zip(new_ids, ref.ids, strict=False)) if a != b), None)
        results.append(
            {
                "prompt": ref.prompt,
                "matched": new_ids == ref.ids and text == ref.text,
                "prompt_tokens_match": prompt_ids == ref.prompt_ids,
                "served": ref.text,
                "output": text,
                "tokens": len(ref.ids),
                "common_prefix": prefix if prefix is not None else min(len(new_ids), len(ref.ids)),
                "token_agreement": round(teacher_forced_agreement(candidate.model, ref), 4),
            }
        )
    matched = sum(r["matched"] for r in results)
    return {
        "method": "greedy decoding of each prompt as a chat user message, compared with the version as served "
        "(base model + adapter)",
        "max_new_tokens": max_new_tokens,
        "exact_expected": exact,
        "prompts": len(results),
        "matched": matched,
        "passed": matched == len(results),
        "token_agreement": round(sum(r["token_agreement"] for r in results) / max(1, len(results)), 4),
        "results": results,
    }


def encode_chat(tokenizer: Any, messages: list[dict[str, str]]) -> list[int]:
    """The prompt ids exactly as the serving engine builds them (`AdapterEngine.encode_chat`), for any tokenizer."""
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    else:
        text = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant: "
    ids: list[int] = tokenizer(text, add_special_tokens=False)["input_ids"]
    return ids


def pad_id(tokenizer: Any) -> int:
    if tokenizer.pad_token_id is not None:
        return int(tokenizer.pad_token_id)
    eos = tokenizer.eos_token_id
    return int(eos[0] if isinstance(eos, list) else eos)


def greedy(model: Any, prompt_ids: list[int], max_new_tokens: int, pad: int) -> list[int]:
    """Greedy continuation, with the serving engine's generation arguments for temperature 0."""
    import torch

    inputs = torch.tensor([prompt_ids], dtype=torch.long)
    with torch.inference_mode():
        out = model.generate(
            input_ids=inputs,
            attention_mask=torch.ones_like(inputs),
            max_new_tokens=max_new_tokens,
            pad_token_id=pad,
            do_sample=False,
            temperature=None,
            top_p=None,
            top_k=None,
        )
    new_ids: list[int] = out[0, len(prompt_ids) :].tolist()
    return new_ids


def teacher_forced_agreement(model: Any, ref: Reference) -> float:
    """Share of the served continuation's tokens the model ranks first when given the served prefix."""
    import torch

    if not ref.ids:
        return 1.0
    ids = torch.tensor([ref.prompt_ids + ref.ids[:-1]], dtype=torch.long)
    with torch.inference_mode():
        logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
    start = len(ref.prompt_ids) - 1
    predicted = logits[0, start : start + len(ref.ids)].argmax(-1).tolist()
    return sum(p == t for p, t in zip(predicted, ref.ids, strict=True)) / len(ref.ids)


def failed_prompts(verification: dict[str, Any]) -> list[int]:
    """1-based numbers of the prompts whose output differed."""
    return [i for i, r in enumerate(verification["results"], start=1) if not r["matched"]]
