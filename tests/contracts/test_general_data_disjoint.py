"""Training's general-replay prompts and evaluation's general suite must not share a prompt: replaying a suite item
would teach the model the very questions the forgetting gate asks, and the gate would measure nothing."""

import re

import pytest

from tuneline.evaluation.gate.suite import load_instruction_suite
from tuneline.training.worker.replay import load_general_prompts

pytestmark = pytest.mark.unit


#: Words every short instruction shares; they say nothing about which question is asked.
_FILLER = frozenset(
    {"a", "an", "the", "is", "are", "of", "in", "to", "and", "what", "which", "how", "many", "with", "only"}
    | {"answer", "number", "word", "write"}
)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower())) - _FILLER


def test_no_replay_prompt_asks_what_a_general_suite_item_asks() -> None:
    """Not the same prompt, nor a near copy (most of the meaningful words shared)."""
    suite = [(item.prompt, _words(item.prompt)) for item in load_instruction_suite()]
    close = []
    for prompt in load_general_prompts():
        words = _words(prompt.prompt)
        for other, other_words in suite:
            overlap = len(words & other_words) / max(1, len(words | other_words))
            if overlap >= 0.5:
                close.append((prompt.prompt, other, round(overlap, 2)))
    assert not close, f"replay prompts too close to general-suite items: {close}"
