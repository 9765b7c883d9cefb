import math

import pytest

from tuneline.evaluation.runner.config import GenerationSettings
from tuneline.evaluation.runner.generation import format_prompt, generate_batched, generate_one_by_one
from tuneline.evaluation.runner.losses import continuation_token_losses

PROMPTS = [
    "Classify: hydraulic oil leaking from the main press cylinder seal, puddle under the machine",
    "Classify: fuse blown",
    "Summarise: the conveyor stopped twice",
]


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    return model, tokenizer


def test_chat_template_wraps_prompt_and_plain_format_does_not(tiny):
    _, tokenizer = tiny
    messages = [{"role": "user", "content": "hi"}]
    assert format_prompt(tokenizer, messages, True) == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    assert format_prompt(tokenizer, messages, False) == "hi\n"


def test_batched_left_padded_generation_equals_one_by_one(tiny):
    model, tokenizer = tiny
    prompts = [format_prompt(tokenizer, [{"role": "user", "content": p}], True) for p in PROMPTS]
    settings = GenerationSettings(max_new_tokens=6, batch_size=3)
    batched = generate_batched(model, tokenizer, prompts, settings)
    single = generate_one_by_one(model, tokenizer, prompts, settings)
    assert [g.text for g in batched] == [g.text for g in single]
    assert all(1 <= g.generated_tokens <= 6 and g.latency_s > 0 for g in batched)


def test_continuation_losses_match_per_token_log_softmax(tiny):
    import torch

    model, tokenizer = tiny
    contexts, continuations = ["Classify: fuse blown", ""], [" electrical", "The pump leaks oil again."]
    losses = continuation_token_losses(model, tokenizer, contexts, continuations, batch_size=2)
    for context, continuation, got in zip(contexts, continuations, losses, strict=True):
        prefix = tokenizer(context, add_special_tokens=False)["input_ids"] if context else [tokenizer.bos_token_id]
        target = tokenizer(continuation, add_special_tokens=False)["input_ids"]
        ids = torch.tensor([prefix + target])
        with torch.no_grad():
            log_probs = torch.log_softmax(model(ids).logits[0], dim=-1)
        expected = [-log_probs[len(prefix) + i - 1, t].item() for i, t in enumerate(target)]
        assert len(got) == len(target)
        assert got == pytest.approx(expected, abs=1e-4)
        assert all(math.isfinite(x) for x in got)
