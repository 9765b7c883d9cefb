"""Token counts of a data set, given any tokenizer callable (no model library needed here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# A tokenizer is anything that maps text to token ids (or directly to a count).
Tokenize = Callable[[str], Sequence[int] | int]

# Chat-template tokens around each turn (role markers, end-of-turn, newlines): ChatML spends ~5 per turn.
TEMPLATE_TOKENS_PER_TURN = 5


@dataclass(frozen=True)
class TokenCount:
    records: int
    prompt_tokens: int  # tokens the model reads but is not trained on (prompts, user/system turns, template)
    completion_tokens: int  # tokens the loss is computed on (labels, completions, assistant turns)
    max_record_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def mean_record_tokens(self) -> float:
        return self.total_tokens / self.records if self.records else 0.0


def count_tokens(records: Iterable[dict[str, Any]], tokenize: Tokenize) -> TokenCount:
    """Count prompt and completion tokens of classification, instruction or conversational records."""
    n = prompt = completion = longest = 0
    for index, record in enumerate(records, start=1):
        turns = _turns(record, index)
        record_prompt = record_completion = 0
        for role, text in turns:
            size = _size(tokenize(text)) + TEMPLATE_TOKENS_PER_TURN
            if role == "assistant":
                record_completion += size
            else:
                record_prompt += size
        n += 1
        prompt += record_prompt
        completion += record_completion
        longest = max(longest, record_prompt + record_completion)
    return TokenCount(n, prompt, completion, longest)


def _turns(record: dict[str, Any], index: int) -> list[tuple[str, str]]:
    if "messages" in record:
        return [(str(m["role"]), str(m["content"])) for m in record["messages"]]
    if "prompt" in record and "completion" in record:
        return [("user", str(record["prompt"])), ("assistant", str(record["completion"]))]
    if "text" in record and "label" in record:
        return [("user", str(record["text"])), ("assistant", str(record["label"]))]
    raise ValueError(f"record {index}: unknown shape with keys {sorted(record)}")


def _size(tokens: Sequence[int] | int) -> int:
    return tokens if isinstance(tokens, int) else len(tokens)
