"""Held-out classification accuracy by greedy generation, for benchmarks and slow tests of the recipe.

The evaluation service owns real evaluations; this is the small, same-prompt check that tells whether a
training run taught the task at all (a base model vs. its adapter on a handful of records).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tuneline.common.base_models import BaseModelSource, offline, resolve_base_model
from tuneline.common.records import ClassificationRecord, PromptTemplate


def load_for_inference(
    base_model: str, adapter_dir: Path | None = None, base_models: BaseModelSource | None = None
) -> tuple[Any, Any]:
    offline()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base_dir = resolve_base_model(base_model, source=base_models)
    tokenizer = AutoTokenizer.from_pretrained(adapter_dir or base_dir)
    model = AutoModelForCausalLM.from_pretrained(base_dir)
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    model.eval()
    return model, tokenizer


def classification_accuracy(
    model: Any, tokenizer: Any, records: list[ClassificationRecord], template: PromptTemplate, batch_size: int = 8
) -> float:
    """Share of records whose greedy answer to the use case's prompt, stripped, equals the label exactly."""
    import torch

    tokenizer.padding_side = "left"  # generation continues from the right edge of every row
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    longest_label = max(len(tokenizer(label, add_special_tokens=False)["input_ids"]) for label in template.labels)
    correct = 0
    for start in range(0, len(records), batch_size):
        chunk = records[start : start + batch_size]
        prompts = [
            tokenizer.apply_chat_template(
                template.messages(r.text),
                tokenize=False,
                add_generation_prompt=True,
            )
            for r in chunk
        ]
        batch = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            generated = model.generate(
                **batch,
                max_new_tokens=longest_label + 1,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id,
            )
        answers = tokenizer.batch_decode(generated[:, batch["input_ids"].shape[1] :], skip_special_tokens=True)
        correct += sum(answer.strip() == r.label for answer, r in zip(answers, chunk, strict=True))
    return correct / len(records)
