import pytest

from tuneline.training.estimate.memory import (
    GIB,
    KNOWN_MODELS,
    Method,
    ModelShape,
    check_fits,
    estimate_memory,
    lora_params,
)

TINY = ModelShape(
    params=1000, hidden_size=8, layers=2, intermediate_size=16, vocab_size=10, attention_heads=2, kv_heads=1
)


def test_parameter_count_from_hf_config_matches_the_published_llama_3_1_8b_size() -> None:
    config = {
        "hidden_size": 4096,
        "intermediate_size": 14336,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "vocab_size": 128256,
        "tie_word_embeddings": False,
    }
    assert ModelShape.from_hf_config(config).params == 8_030_261_248


def test_lora_params_count_every_adapted_matrix() -> None:
    # h=8, kv_dim=4, i=16, r=2: q 2*(8+8)=32, k 2*(8+4)=24, v 24, o 32, gate 48, up 48, down 48 -> 256 per layer
    assert lora_params(TINY, 2) == 2 * 256


def test_full_finetune_memory_breakdown_by_hand() -> None:
    est = estimate_memory(TINY, Method.FULL, seq_len=4, batch_size=2, device="cuda")
    assert est.trainable_params == 1000
    assert est.weights_bytes == 2000 and est.gradients_bytes == 2000 and est.optimizer_bytes == 12000
    assert est.activations_bytes == 8 * (14 * 8 + 8 * 16) * 2  # tokens * per-token-per-layer * layers
    assert est.logits_bytes == 8 * 10 * 10
    subtotal = 2000 + 2000 + 12000 + 3840 + 800
    assert est.overhead_bytes == int(0.5 * GIB) + subtotal // 10
    assert est.total_bytes == subtotal + est.overhead_bytes


def test_methods_order_by_memory_and_checkpointing_saves_activations() -> None:
    shape = KNOWN_MODELS["llama-3.1-8b"]
    full, lora, qlora = (estimate_memory(shape, m, 1024, 1).total_gib for m in Method)
    assert full > lora > qlora
    # 4-bit linear layers (~3.4 GiB) plus bf16 embeddings and lm_head (~2 GiB)
    assert 4.5 < estimate_memory(shape, Method.QLORA, 1024, 1).weights_bytes / GIB < 6.0
    # the usual "8B QLoRA fits a 16 GB card with gradient checkpointing" rule of thumb
    assert estimate_memory(shape, Method.QLORA, 1024, 1, gradient_checkpointing=True).total_gib < 12
    plain = estimate_memory(shape, Method.QLORA, 2048, 4)
    checkpointed = estimate_memory(shape, Method.QLORA, 2048, 4, gradient_checkpointing=True)
    assert checkpointed.activations_bytes < plain.activations_bytes / 5


def test_refuses_a_job_that_cannot_fit_and_suggests_qlora() -> None:
    est = estimate_memory(KNOWN_MODELS["llama-3.1-8b"], Method.LORA, 2048, 8)
    report = check_fits(est, 24.0, "nvidia-l4")
    assert report.verdict == "refused"
    assert "nvidia-l4 has 24.0 GiB" in report.message and "use QLoRA" in report.message


def test_warns_when_the_job_is_tight_and_accepts_a_comfortable_one() -> None:
    est = estimate_memory(KNOWN_MODELS["smollm2-135m-instruct"], Method.LORA, 512, 8, device="cpu")
    assert check_fits(est, est.total_gib / 0.9, "box").verdict == "tight"
    assert check_fits(est, 24.0, "cpu-2core").verdict == "ok"


def test_rejects_non_positive_sizes() -> None:
    with pytest.raises(ValueError, match="seq_len, batch_size and lora_rank must be >= 1"):
        estimate_memory(TINY, Method.LORA, 0, 1)
