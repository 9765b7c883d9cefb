"""Training memory estimate for full fine-tuning, LoRA and QLoRA, and whether it fits the hardware.

The numbers are first-order: weights + gradients + optimizer state + saved activations + logits + runtime
overhead. They are meant to refuse jobs that cannot fit and warn about tight ones, not to predict the
allocator's peak to the megabyte.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

GIB = 1024**3


class Method(StrEnum):
    FULL = "full"
    LORA = "lora"
    QLORA = "qlora"


@dataclass(frozen=True)
class ModelShape:
    """The architecture numbers memory depends on (decoder-only transformer with a gated MLP)."""

    params: int
    hidden_size: int
    layers: int
    intermediate_size: int
    vocab_size: int
    attention_heads: int
    kv_heads: int

    @classmethod
    def from_hf_config(cls, config: dict[str, Any]) -> ModelShape:
        """From a Hugging Face config.json; parameter count derived from the shapes (tied embeddings aware)."""
        h, i, n = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
        heads = config["num_attention_heads"]
        kv = config.get("num_key_value_heads") or heads
        vocab = config["vocab_size"]
        kv_dim = h * kv // heads
        per_layer = 2 * h * h + 2 * h * kv_dim + 3 * h * i + 2 * h
        embeddings = vocab * h * (1 if config.get("tie_word_embeddings", False) else 2)
        return cls(n * per_layer + embeddings + h, h, n, i, vocab, heads, kv)


# Shapes of base models the platform knows by name (from their config.json).
KNOWN_MODELS: dict[str, ModelShape] = {
    "smollm2-135m-instruct": ModelShape(134_515_008, 576, 30, 1536, 49152, 9, 3),
    "smollm2-360m-instruct": ModelShape(361_821_120, 960, 32, 2560, 49152, 15, 5),
    "llama-3.2-1b": ModelShape(1_235_814_400, 2048, 16, 8192, 128256, 32, 8),
    "llama-3.1-8b": ModelShape(8_030_261_248, 4096, 32, 14336, 128256, 32, 8),
    "mistral-7b": ModelShape(7_241_732_096, 4096, 32, 14336, 32768, 32, 8),
}


@dataclass(frozen=True)
class MemoryEstimate:
    method: Method
    trainable_params: int
    weights_bytes: int
    gradients_bytes: int
    optimizer_bytes: int
    activations_bytes: int
    logits_bytes: int
    overhead_bytes: int

    @property
    def total_bytes(self) -> int:
        return (
            self.weights_bytes
            + self.gradients_bytes
            + self.optimizer_bytes
            + self.activations_bytes
            + self.logits_bytes
            + self.overhead_bytes
        )

    @property
    def total_gib(self) -> float:
        return self.total_bytes / GIB


def lora_params(shape: ModelShape, rank: int) -> int:
    """Adapter parameters when every linear layer of every block gets rank-r A and B matrices."""
    h, i = shape.hidden_size, shape.intermediate_size
    kv_dim = h * shape.kv_heads // shape.attention_heads
    # (in + out) * r per adapted matrix: q, k, v, o, gate, up, down
    per_layer = rank * ((h + h) + (h + kv_dim) * 2 + (h + h) + (h + i) * 2 + (i + h))
    return shape.layers * per_layer


def estimate_memory(
    shape: ModelShape,
    method: Method,
    seq_len: int,
    batch_size: int,
    lora_rank: int = 16,
    gradient_checkpointing: bool = False,
    device: str = "cuda",
) -> MemoryEstimate:
    """Bytes needed to train `shape` with `method` on micro-batches of batch_size x seq_len tokens.

    Assumptions (mixed precision as the recipe runs it): full FT keeps bf16 weights and grads plus fp32
    master weights and two AdamW moments (16 bytes/param); LoRA keeps the frozen base in bf16 on CUDA (fp32
    on CPU) and fp32 adapters, grads and moments; QLoRA stores block-quantised linear weights at ~0.52 bytes
    /param (NF4 + double-quantised scales) and the rest in bf16. Activations ~(14h + 8i) bytes per token per
    layer in bf16 without checkpointing, 2h with it (plus one layer recomputed); logits in fp32 for the loss.
    """
    if seq_len < 1 or batch_size < 1 or lora_rank < 1:
        raise ValueError("seq_len, batch_size and lora_rank must be >= 1")
    h, i, n = shape.hidden_size, shape.intermediate_size, shape.layers
    tokens = seq_len * batch_size
    base_bytes_per_param = 2 if device == "cuda" else 4
    if method is Method.FULL:
        trainable = shape.params
        weights = shape.params * base_bytes_per_param
        gradients = shape.params * base_bytes_per_param
        optimizer = shape.params * (4 + 8)  # fp32 master copy + AdamW m and v
    else:
        trainable = lora_params(shape, lora_rank)
        if method is Method.QLORA:
            linear = n * (2 * h * h + 2 * h * (h * shape.kv_heads // shape.attention_heads) + 3 * h * i)
            weights = int(linear * 0.52) + (shape.params - linear) * 2
        else:
            weights = shape.params * base_bytes_per_param
        weights += trainable * 4
        gradients = trainable * 4
        optimizer = trainable * 8
    per_layer_token = 2 * h if gradient_checkpointing else 14 * h + 8 * i
    activations = tokens * per_layer_token * n
    if gradient_checkpointing:
        activations += tokens * (14 * h + 8 * i)  # the one layer being recomputed
    logits = tokens * shape.vocab_size * (2 + 4 + 4)  # bf16 logits, fp32 copy, fp32 grad
    runtime = int(0.5 * GIB) if device == "cuda" else int(0.3 * GIB)  # CUDA context / interpreter + libs
    subtotal = weights + gradients + optimizer + activations + logits
    overhead = runtime + subtotal // 10  # allocator fragmentation
    return MemoryEstimate(method, trainable, weights, gradients, optimizer, activations, logits, overhead)


@dataclass(frozen=True)
class FitReport:
    verdict: str  # "ok" | "tight" | "refused"
    required_gib: float
    available_gib: float
    message: str


TIGHT_FRACTION = 0.85


def check_fits(estimate: MemoryEstimate, available_gib: float, hardware_name: str) -> FitReport:
    """Refuse a job that cannot fit, warn when it uses more than 85% of the memory."""
    need = estimate.total_gib
    if need > available_gib:
        hints = []
        if estimate.method is Method.FULL:
            hints.append("use LoRA or QLoRA")
        elif estimate.method is Method.LORA:
            hints.append("use QLoRA")
        hints += ["lower batch_size (raise grad_accumulation)", "shorten max_seq_len", "enable gradient checkpointing"]
        return FitReport(
            "refused",
            need,
            available_gib,
            f"{estimate.method.value} needs ~{need:.1f} GiB but {hardware_name} has {available_gib:.1f} GiB; "
            + "; ".join(hints),
        )
    if need > TIGHT_FRACTION * available_gib:
        return FitReport(
            "tight",
            need,
            available_gib,
            f"{estimate.method.value} needs ~{need:.1f} GiB of {available_gib:.1f} GiB on {hardware_name} "
            f"(over {TIGHT_FRACTION:.0%}): it may run out of memory",
        )
    return FitReport("ok", need, available_gib, f"fits: ~{need:.1f} GiB of {available_gib:.1f} GiB")
