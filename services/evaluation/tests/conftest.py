from datetime import UTC, datetime

import pytest

from tuneline.evaluation.gate.decision import CapabilityScores, GateThresholds, decide
from tuneline.evaluation.metrics.classification import classification_report
from tuneline.evaluation.results import EvaluationOutcome, ModelPass, SampleOutput, SampleResult

REFERENCES = ["leak", "electrical", "leak", "mechanical"]
BASE_PARSED = ["leak", "leak", "electrical", "mechanical"]
TUNED_PARSED = ["leak", "electrical", "leak", "leak"]


def _output(parsed: str, reference: str) -> SampleOutput:
    return SampleOutput(
        output=f"{parsed} <b>", parsed=parsed, score=float(parsed == reference), latency_s=0.1, generated_tokens=3
    )


@pytest.fixture
def outcome() -> EvaluationOutcome:
    """A small classification evaluation: tuned fixes samples 1 and 2 and breaks sample 3."""
    base_report = classification_report(BASE_PARSED, REFERENCES)
    tuned_report = classification_report(TUNED_PARSED, REFERENCES)
    base_cap = CapabilityScores(30.0, 0.6, {"arithmetic": 0.6})
    tuned_cap = CapabilityScores(33.0, 0.6, {"arithmetic": 0.6})
    samples = [
        SampleResult(
            record_id=f"r{i}",
            prompt=f"log <script>{i}</script>",
            reference=ref,
            base=_output(BASE_PARSED[i], ref),
            tuned=_output(TUNED_PARSED[i], ref),
        )
        for i, ref in enumerate(REFERENCES)
    ]
    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    return EvaluationOutcome(
        task="classification",
        primary_metric="accuracy",
        settings={"generation": {"max_new_tokens": 8, "do_sample": False}},
        base=ModelPass(
            metrics={"accuracy": 0.5, "macro_f1": base_report.macro_f1, "general_perplexity": 30.0},
            confusion=base_report.confusion,
            per_class=base_report.per_class,
            capability=base_cap,
        ),
        tuned=ModelPass(
            metrics={"accuracy": 0.75, "macro_f1": tuned_report.macro_f1, "general_perplexity": 33.0},
            confusion=tuned_report.confusion,
            per_class=tuned_report.per_class,
            capability=tuned_cap,
        ),
        samples=samples,
        gate=decide(base_cap, tuned_cap, GateThresholds()),
        started_at=moment,
        finished_at=moment,
    )


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """The training worker's tiny random Llama (tests may import another service; source code may not)."""
    from tuneline.training.worker.base_models import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


def save_lora_adapter(base_dir, out_dir, b_scale: float = 0.0, seed: int = 0):
    """A LoRA adapter on q/v projections; b_scale 0 keeps PEFT's B = 0 (identical to base)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base_dir)
    torch.manual_seed(seed)  # LoRA A is initialised randomly
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    if b_scale:
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, weight in peft_model.named_parameters():
                if "lora_B" in name:
                    weight.copy_(torch.randn(weight.shape, generator=generator) * b_scale)
    peft_model.save_pretrained(out_dir)
    return out_dir


@pytest.fixture(scope="session")
def make_lora_adapter():
    return save_lora_adapter


@pytest.fixture(scope="session")
def zero_adapter_dir(tiny_model_dir, tmp_path_factory):
    return save_lora_adapter(tiny_model_dir, tmp_path_factory.mktemp("zero-adapter"))
