"""A merged Llama-architecture model as one GGUF file that llama.cpp (and Ollama, which runs it) can load.

Written with `gguf.GGUFWriter` the way llama.cpp's own `convert_hf_to_gguf.py` writes a Llama: the architecture's
hyperparameters, the tensor names from gguf's Llama name map, q/k projections permuted to llama.cpp's rotary layout,
1-D tensors (norms) in F32 and every 2-D tensor in the chosen type (F16 where its rows do not split into the type's
blocks, recorded), the output matrix left out when it is the embedding matrix (tied), and the tokenizer as metadata:
byte-level BPE vocabulary with token types, merges, special token ids, BOS/EOS flags and the chat template — what the
shipped SmolLM2 GGUF carries.

The pre-tokenizer name tells llama.cpp how to split text before BPE. It is named only for the splits this module
recognises in tokenizer.json (GPT-2's byte-level regex; SmolLM's digits-then-GPT-2); any other tokenizer is refused
with the reason, rather than written with a name that would make llama.cpp tokenize differently from serving.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneline.registry.exports.formats import ExportError, llama_file_type

ARCHITECTURE = "llama"


@dataclass(frozen=True)
class GgufSummary:
    """What was written: tensor count per type, the tensors that fell back to F16, the tokenizer's split name."""

    tensor_types: dict[str, int]
    fallback_f16: list[str] = field(default_factory=list)
    tokenizer_pre: str = ""


def pre_tokenizer_name(tokenizer_json: dict[str, Any]) -> str:
    """llama.cpp's name for the tokenizer's pre-tokenizer (`tokenizer.ggml.pre`), or ExportError."""
    model = tokenizer_json.get("model") or {}
    decoder = tokenizer_json.get("decoder") or {}
    if model.get("type") != "BPE" or model.get("byte_fallback") or decoder.get("type") != "ByteLevel":
        raise ExportError(
            "GGUF export needs a byte-level BPE tokenizer (GPT-2 style); this model's tokenizer is "
            f"{model.get('type')!r} with decoder {decoder.get('type')!r}"
        )
    if tokenizer_json.get("normalizer") is not None:
        raise ExportError(
            "GGUF export: the tokenizer has a normalizer, which llama.cpp's byte-level BPE does not apply"
        )
    pre = tokenizer_json.get("pre_tokenizer") or {}
    steps = pre.get("pretokenizers", []) if pre.get("type") == "Sequence" else [pre]
    if len(steps) == 1 and _gpt2_byte_level(steps[0]):
        return "gpt-2"
    if (
        len(steps) == 2
        and steps[0].get("type") == "Digits"
        and steps[0].get("individual_digits")
        and _gpt2_byte_level(steps[1])
    ):
        return "smollm"
    raise ExportError(
        f"GGUF export: the tokenizer's pre-tokenizer {json.dumps(pre, sort_keys=True)[:200]} has no llama.cpp "
        "equivalent this exporter can name; llama.cpp would split text differently from serving"
    )


def _gpt2_byte_level(step: dict[str, Any]) -> bool:
    return step.get("type") == "ByteLevel" and step.get("use_regex", True) and not step.get("add_prefix_space", False)


def token_table(tokenizer: Any, vocab_size: int) -> tuple[list[str], list[int]]:
    """Every token id's text and llama.cpp token type: CONTROL for special added tokens, USER_DEFINED for other
    added tokens, NORMAL for the BPE vocabulary, UNUSED placeholders for ids the model has and the tokenizer not."""
    import gguf

    by_id = {index: token for token, index in tokenizer.get_vocab().items()}
    added = tokenizer.added_tokens_decoder
    if max(by_id) >= vocab_size:
        raise ExportError(f"the tokenizer has ids up to {max(by_id)}, beyond the model's vocab_size {vocab_size}")
    tokens, types = [], []
    for index in range(vocab_size):
        token = by_id.get(index)
        if token is None:
            tokens.append(f"[PAD{index}]")
            types.append(int(gguf.TokenType.UNUSED))
        elif index in added:
            tokens.append(token)
            types.append(int(gguf.TokenType.CONTROL if added[index].special else gguf.TokenType.USER_DEFINED))
        else:
            tokens.append(token)
            types.append(int(gguf.TokenType.NORMAL))
    return tokens, types


def _adds_special_tokens(tokenizer: Any) -> dict[str, bool]:
    ids = tokenizer("x")["input_ids"]
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    return {
        "bos": bos is not None and len(ids) > 1 and ids[0] == bos,
        "eos": eos is not None and len(ids) > 1 and ids[-1] == eos,
    }


def permute(weights: Any, n_head: int, n_head_kv: int | None) -> Any:
    """HF's rotate-half q/k rows into llama.cpp's interleaved rotary layout (convert_hf_to_gguf's `permute`)."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (
        weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


def tensor_type(shape: tuple[int, ...], quantization: str) -> str:
    """The type one tensor is stored in: F32 for 1-D tensors, else `quantization` when its rows split into the
    type's blocks, else F16 (as convert_hf_to_gguf falls back)."""
    import gguf

    if len(shape) < 2:
        return "F32"
    block, _ = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[quantization]]
    return quantization if shape[-1] % block == 0 else "F16"


def write_gguf(model_dir: Path, model: Any, out: Path, quantization: str, name: str) -> GgufSummary:
    """Write `model` (a transformers Llama, merged, in memory) with the tokenizer saved in `model_dir` to `out`."""
    import gguf
    from transformers import AutoTokenizer

    config = model.config
    if config.model_type != ARCHITECTURE:
        raise ExportError(f"GGUF export supports Llama-architecture models; this base model is {config.model_type!r}")
    rope = _rope(config)
    tokenizer_json = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    pre = pre_tokenizer_name(tokenizer_json)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    n_head, n_head_kv = config.num_attention_heads, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // n_head

    writer = gguf.GGUFWriter(str(out), ARCHITECTURE)
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(name)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_rope_freq_base(rope)
    writer.add_rope_dimension_count(head_dim)
    writer.add_vocab_size(config.vocab_size)
    writer.add_file_type(llama_file_type(quantization))
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)

    tokens, types = token_table(tokenizer, config.vocab_size)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    special = gguf.SpecialVocab(model_dir, load_merges=True, n_vocab=len(tokens))
    if not special.merges:
        raise ExportError("GGUF export: tokenizer.json has no BPE merges")
    # What the tokenizer does, measured, rather than what its config files may or may not say: llama.cpp adds
    # BOS/EOS to every prompt when these flags are set, so they must match what serving's tokenizer adds.
    special.add_special_token.update(_adds_special_tokens(tokenizer))
    special.add_to_gguf(writer, quiet=True)
    writer.add_add_space_prefix(False)  # byte-level BPE with GPT-2's split (checked above) adds no prefix space

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.num_hidden_layers)
    tied = model.get_output_embeddings().weight is model.get_input_embeddings().weight
    counts: Counter[str] = Counter()
    fallback: list[str] = []
    for hf_name, tensor in model.state_dict().items():
        if (tied and hf_name == "lm_head.weight") or hf_name.endswith("rotary_emb.inv_freq"):
            continue
        gguf_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise ExportError(f"GGUF export: tensor {hf_name} has no name in llama.cpp's Llama layout")
        data = tensor.detach().float().cpu().numpy()
        if hf_name.endswith(("q_proj.weight", "q_proj.bias")):
            data = permute(data, n_head, n_head)
        elif hf_name.endswith(("k_proj.weight", "k_proj.bias")):
            data = permute(data, n_head, n_head_kv)
        kind = tensor_type(tuple(data.shape), quantization)
        if kind != quantization and len(data.shape) >= 2:
            fallback.append(gguf_name)
        qtype = gguf.GGMLQuantizationType[kind]
        writer.add_tensor(gguf_name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
        counts[kind] += 1
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return GgufSummary(dict(sorted(counts.items())), fallback, pre)


def _rope(config: Any) -> float:
    """rope_theta, refusing scaled rotary embeddings (llama.cpp needs extra tensors and keys this writer omits)."""
    params = getattr(config, "rope_parameters", None) or {}
    scaling = getattr(config, "rope_scaling", None) or {}
    kind = params.get("rope_type") or scaling.get("rope_type") or scaling.get("type") or "default"
    if kind != "default":
        raise ExportError(f"GGUF export: rotary scaling {kind!r} is not written by this exporter")
    theta = params.get("rope_theta", getattr(config, "rope_theta", None))
    if theta is None:
        raise ExportError("GGUF export: the model config has no rope_theta")
    return float(theta)
