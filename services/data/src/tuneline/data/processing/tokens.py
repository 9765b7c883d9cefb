"""Token counting: the service passes the base model's tokenizer; tests and benches may use a simple one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

TokenCounter = Callable[[str], int]

_SIMPLE_TOKEN = re.compile(r"\w+|[^\w\s]")


def simple_token_count(text: str) -> int:
    """Words and punctuation marks; roughly 0.75x a BPE count on English prose."""
    return len(_SIMPLE_TOKEN.findall(text))


def hf_token_counter(tokenizer: Any) -> TokenCounter:
    """Adapt a Hugging Face tokenizer (anything with ``encode(text, add_special_tokens=...)``)."""

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False))

    return count
