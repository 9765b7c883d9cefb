"""The forgetting gate against real perplexity numbers of SmolLM2-135M-Instruct (slow tier).

Adapters are LoRA (r 8, alpha 16, A seeded) on the attention projections with B drawn from N(0, sigma²):
sigma 0 is PEFT's fresh adapter (identical to base); sigma 0.1 is a mild change (measured ×1.13 general-text
perplexity on 6 paragraphs, 24.7 → 28.0; compare the good adapter in TRAPS.md, ×1.23); sigma 0.2 damages the
model (×1.83, 24.7 → 45.2; compare the forgetting adapter in TRAPS.md, ×2.16).
"""

import pytest

from tuneline.common.base_models import resolve_base_model
from tuneline.evaluation.gate.decision import GateThresholds, decide
from tuneline.evaluation.runner.config import EvalConfig, GenerationSettings
from tuneline.evaluation.runner.recipe import general_capability, run_evaluation, setup

pytestmark = pytest.mark.slow

ROWS = [
    {"id": "a", "prompt": "Classify this maintenance log as leak or electrical: oil dripping from the seal.",
     "completion": "leak"},
    {"id": "b", "prompt": "Classify this maintenance log as leak or electrical: the breaker tripped twice.",
     "completion": "electrical"},
]  # fmt: skip
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]


def _set_lora_b(model, sigma: float, seed: int = 0) -> None:
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, weight in model.named_parameters():
            if "lora_B" in name:
                weight.copy_(torch.randn(weight.shape, generator=generator) * sigma)


@pytest.fixture(scope="module")
def forgetting_adapter(tmp_path_factory):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(2)
    torch.manual_seed(0)  # LoRA A is initialised randomly: seed it so the figures repeat run to run
    base_dir = resolve_base_model("smollm2-135m-instruct")
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(base_dir), LoraConfig(r=8, lora_alpha=16, target_modules=TARGETS)
    )
    _set_lora_b(model, 0.2)
    out = tmp_path_factory.mktemp("forgetting-adapter")
    model.save_pretrained(out)
    return out


def test_gate_fails_forgetting_adapter_and_passes_mild_and_zero_ones(forgetting_adapter):
    config = EvalConfig(
        base_model="smollm2-135m-instruct",
        adapter_dir=str(forgetting_adapter),
        task="classification",
        labels=["leak", "electrical"],
        generation=GenerationSettings(max_new_tokens=4, batch_size=4),
        suite_limit=2,
        suite_max_new_tokens=8,
        general_text_limit=6,
        torch_threads=2,
        # Two suite items are too coarse to judge a suite drop (one answer = 50 points); this test proves the
        # perplexity criterion on real numbers, the suite criterion is covered by the unit tests.
        gate=GateThresholds(max_suite_drop=1.0),
    )
    loaded = setup(config)
    outcome = run_evaluation(config, ROWS, loaded)
    gate = outcome.gate
    assert gate is not None
    print(
        f"\nsigma 0.2: perplexity {gate.base.perplexity:.2f} → {gate.tuned.perplexity:.2f} "
        f"(×{gate.perplexity_ratio:.2f})"
    )
    assert 15 < gate.base.perplexity < 40  # SmolLM2 on plain English paragraphs
    assert not gate.passed
    assert gate.perplexity_ratio > 1.5
    assert "the model forgot" in gate.reasons[0]

    for sigma, low, high in ((0.1, 1.05, 1.5), (0.0, 0.999, 1.001)):
        _set_lora_b(loaded.model, sigma)
        tuned, _ = general_capability(config, loaded)
        decision = decide(gate.base, tuned, config.gate)
        print(f"sigma {sigma}: perplexity → {tuned.perplexity:.2f} (×{decision.perplexity_ratio:.2f})")
        assert low < decision.perplexity_ratio <= high
        assert decision.passed, decision.reasons
    assert tuned.suite_score == gate.base.suite_score  # B = 0 answers exactly like the base
