import pytest

from tuneline.training.estimate.tokens import TEMPLATE_TOKENS_PER_TURN as T
from tuneline.training.estimate.tokens import count_tokens


def words(text: str) -> list[int]:
    return list(range(len(text.split())))


def test_counts_prompt_and_completion_tokens_of_each_shape() -> None:
    records = [
        {"text": "oil leak at ram", "label": "hydraulic"},  # 4 + 1
        {"prompt": "summarise this", "completion": "two issues"},  # 2 + 2
        {
            "messages": [
                {"role": "system", "content": "be brief"},  # 2
                {"role": "user", "content": "why"},  # 1
                {"role": "assistant", "content": "worn seal"},  # 2
            ]
        },
    ]
    count = count_tokens(records, words)
    assert count.records == 3
    assert count.prompt_tokens == (4 + T) + (2 + T) + (2 + T) + (1 + T)
    assert count.completion_tokens == (1 + T) + (2 + T) + (2 + T)
    assert count.max_record_tokens == 2 + 1 + 2 + 3 * T
    assert count.total_tokens == count.prompt_tokens + count.completion_tokens


def test_accepts_a_tokenizer_that_returns_a_count() -> None:
    assert count_tokens([{"prompt": "abcd", "completion": "ef"}], len).total_tokens == 6 + 2 * T


def test_unknown_record_shape_names_the_record() -> None:
    with pytest.raises(ValueError, match=r"record 2: unknown shape with keys \['input'\]"):
        count_tokens([{"prompt": "a", "completion": "b"}, {"input": "x"}], words)
