"""Configuration of one evaluation run. Every field is recorded with the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tuneline.evaluation.gate.decision import GateThresholds
from tuneline.evaluation.scoring.task_metrics import check_task


@dataclass(frozen=True)
class GenerationSettings:
    """How outputs are generated (greedy by default so base and tuned are compared deterministically).

    max_new_tokens: int = 64 — generation stops after this many new tokens (or at end-of-sequence).
    batch_size: int = 8 — prompts per generate() call; prompts are sorted by length to limit padding.
    do_sample: bool = False — False is greedy decoding; True samples with temperature/top_p and seed.
    temperature: float = 1.0 — sampling temperature (only with do_sample).
    top_p: float = 1.0 — nucleus sampling mass (only with do_sample).
    seed: int = 0 — torch seed set before each pass, so sampled runs repeat.
    use_chat_template: bool = True — wrap prompts in the tokenizer's chat template when it has one.
    """

    max_new_tokens: int = 64
    batch_size: int = 8
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int = 0
    use_chat_template: bool = True

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be within (0, 1], got {self.top_p}")


@dataclass(frozen=True)
class EvalConfig:
    """One base-vs-tuned evaluation.

    base_model: str — "smollm2-135m-instruct" (the shipped model), a local model directory, or a model URI
        (s3://…, file://…; fetched and checked by the runner, see tuneline.common.base_models).
    adapter_dir: str — directory of the PEFT adapter produced by training (the "tuned" model).
    task: str — "classification", "extraction" or "generation"; chooses the task metrics.
    labels: list[str] | None = None — classification labels; default: the template's, else the distinct references.
    prompt_template: dict | None = None — the use case's PromptTemplate (tuneline.common.records) as JSON, the
        words training wrapped every classification input in; None: PromptTemplate.generic.
    custom_metrics: list[str] = [] — "module:function" plug-ins (see metrics/plugins.py).
    generation: GenerationSettings — decoding settings for held-out and suite prompts.
    completion_perplexity: bool = True — also score perplexity of the reference completions.
    run_gate: bool = True — run the general-capability suite and the forgetting gate.
    gate: GateThresholds — thresholds of the forgetting gate.
    suite_max_new_tokens: int = 32 — generation budget for general-suite answers (answers come first).
    suite_limit: int | None = None — use only the first N suite items (tests); None = all.
    general_text_limit: int | None = None — use only the first N general-text paragraphs; None = all.
    loss_batch_size: int = 8 — sequences per forward pass when scoring perplexity.
    torch_threads: int | None = None — torch.set_num_threads for the run; None leaves torch's default.
    model_cache_dir: str | None = None — this node's model cache (the shipped GGUF converted once, base models
        fetched by URI); None = TUNELINE_MODEL_CACHE_DIR, else ~/.cache/tuneline/models.
    """

    base_model: str
    adapter_dir: str
    task: str
    labels: list[str] | None = None
    prompt_template: dict[str, Any] | None = None
    custom_metrics: list[str] = field(default_factory=list)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    completion_perplexity: bool = True
    run_gate: bool = True
    gate: GateThresholds = field(default_factory=GateThresholds)
    suite_max_new_tokens: int = 32
    suite_limit: int | None = None
    general_text_limit: int | None = None
    loss_batch_size: int = 8
    torch_threads: int | None = None
    model_cache_dir: str | None = None

    def __post_init__(self) -> None:
        check_task(self.task)
        if not self.base_model.strip():
            raise ValueError("base_model must not be empty")
        if not self.adapter_dir.strip():
            raise ValueError("adapter_dir must not be empty")
        for name in ("suite_limit", "general_text_limit"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1 or None, got {value}")
        if self.loss_batch_size < 1:
            raise ValueError(f"loss_batch_size must be >= 1, got {self.loss_batch_size}")
