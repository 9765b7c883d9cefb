"""Per-token losses (natural-log negative log-likelihood) for perplexity.

Prompt and continuation are tokenised separately and concatenated, so the boundary between the tokens that
are conditioned on and the tokens that are scored is exact. Batches are padded on the right and padding is
excluded through the attention mask and the scored-position mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _encode(tokenizer: Any, text: str) -> list[int]:
    ids: list[int] = tokenizer(text, add_special_tokens=False)["input_ids"]
    return ids


def continuation_token_losses(
    model: Any,
    tokenizer: Any,
    contexts: Sequence[str],
    continuations: Sequence[str],
    batch_size: int = 8,
) -> list[list[float]]:
    """Loss of every continuation token given its context and the continuation tokens before it.

    An empty context is replaced by the BOS token when the tokenizer has one; without BOS the first
    continuation token cannot be scored and is skipped.
    """
    import torch
    import torch.nn.functional as functional

    if len(contexts) != len(continuations):
        raise ValueError(f"{len(contexts)} contexts but {len(continuations)} continuations; they must pair up")
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    pairs = []
    for context, continuation in zip(contexts, continuations, strict=True):
        prefix = _encode(tokenizer, context) if context else list(bos)
        pairs.append((prefix, _encode(tokenizer, continuation)))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    results: list[list[float]] = []
    for start in range(0, len(pairs), batch_size):
        batch = pairs[start : start + batch_size]
        sequences = [prefix + target for prefix, target in batch]
        width = max(len(s) for s in sequences)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, sequence in enumerate(sequences):
            input_ids[row, : len(sequence)] = torch.tensor(sequence)
            attention[row, : len(sequence)] = 1
        input_ids, attention = input_ids.to(model.device), attention.to(model.device)
        with torch.inference_mode():
            logits = model(input_ids=input_ids, attention_mask=attention).logits.float()
        # Position t predicts token t+1.
        losses = functional.cross_entropy(logits[:, :-1].transpose(1, 2), input_ids[:, 1:], reduction="none").tolist()
        for row, (prefix, target) in enumerate(batch):
            first = max(len(prefix), 1)
            results.append(losses[row][first - 1 : len(prefix) + len(target) - 1])
    return results
