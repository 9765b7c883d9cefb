"""The GGUF writer on the tiny random Llama: llama.cpp's layout and metadata, read back by gguf and transformers."""

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from tuneline.registry.exports.formats import ExportError
from tuneline.registry.exports.gguf_file import _rope, pre_tokenizer_name, tensor_type, write_gguf

#: Keys of the shipped SmolLM2 GGUF that describe its provenance, not how to run it.
PROVENANCE = {
    "general.name",
    "general.organization",
    "general.finetune",
    "general.basename",
    "general.size_label",
    "general.license",
    "general.languages",
}


@pytest.fixture(scope="module")
def tiny(registry_tiny_model: Path) -> Any:
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(1)
    return AutoModelForCausalLM.from_pretrained(registry_tiny_model).eval()


def written(tmp_path: Path, model_dir: Path, model: Any, quantization: str) -> tuple[Path, Any]:
    import gguf

    out = tmp_path / f"tiny-{quantization}.gguf"
    write_gguf(model_dir, model, out, quantization, "tiny-v1")
    return out, gguf.GGUFReader(out)


def test_carries_every_runtime_key_the_shipped_smollm2_gguf_carries(
    tmp_path: Path, registry_tiny_model: Path, tiny: Any
) -> None:
    import gguf

    from tuneline.common.base_models import smollm2_gguf_path

    shipped = {k for k in gguf.GGUFReader(smollm2_gguf_path()).fields if not k.startswith("GGUF.")}
    _, reader = written(tmp_path, registry_tiny_model, tiny, "Q8_0")
    ours = set(reader.fields)
    assert shipped - PROVENANCE - ours == set()
    assert reader.fields["general.architecture"].contents() == "llama"
    assert reader.fields["tokenizer.ggml.model"].contents() == "gpt2"
    assert reader.fields["tokenizer.ggml.pre"].contents() == "gpt-2"
    assert reader.fields["general.file_type"].contents() == int(gguf.LlamaFileType.MOSTLY_Q8_0)
    assert len(reader.fields["tokenizer.ggml.tokens"].data) == tiny.config.vocab_size
    assert reader.fields["tokenizer.ggml.eos_token_id"].contents() == tiny.config.eos_token_id
    assert "<|im_start|>" in reader.fields["tokenizer.chat_template"].contents()


def test_norms_stay_f32_weights_take_the_type_and_a_tied_output_is_not_written_twice(
    tmp_path: Path, registry_tiny_model: Path, tiny: Any
) -> None:
    _, reader = written(tmp_path, registry_tiny_model, tiny, "Q4_0")
    types = {t.name: t.tensor_type.name for t in reader.tensors}
    assert "output.weight" not in types  # the tiny model ties its output to the embeddings
    assert types["token_embd.weight"] == types["blk.0.attn_q.weight"] == types["blk.3.ffn_down.weight"] == "Q4_0"
    assert types["blk.0.attn_norm.weight"] == types["output_norm.weight"] == "F32"
    assert len(types) == 2 + 9 * tiny.config.num_hidden_layers


def test_an_f32_file_loads_back_in_transformers_with_the_same_weights(
    tmp_path: Path, registry_tiny_model: Path, tiny: Any
) -> None:
    from transformers import AutoModelForCausalLM

    out, _ = written(tmp_path, registry_tiny_model, tiny, "F32")
    loaded = AutoModelForCausalLM.from_pretrained(out.parent, gguf_file=out.name, dtype=torch.float32)
    ours, theirs = tiny.state_dict(), loaded.state_dict()
    assert set(ours) == set(theirs)
    for name, tensor in ours.items():  # q/k went through llama.cpp's permutation and back
        assert torch.equal(tensor, theirs[name]), name


def test_rows_that_do_not_split_into_blocks_fall_back_to_f16() -> None:
    assert tensor_type((64, 128), "Q8_0") == "Q8_0"
    assert tensor_type((64, 48), "Q8_0") == "F16"  # Q8_0 blocks are 32 wide
    assert tensor_type((128,), "Q4_0") == "F32"


def test_names_the_splits_it_knows_and_refuses_the_others() -> None:
    bpe = {"model": {"type": "BPE"}, "decoder": {"type": "ByteLevel"}, "normalizer": None}
    gpt2 = {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True}
    assert pre_tokenizer_name({**bpe, "pre_tokenizer": gpt2}) == "gpt-2"
    digits = {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True}, gpt2]}
    assert pre_tokenizer_name({**bpe, "pre_tokenizer": digits}) == "smollm"
    with pytest.raises(ExportError, match=r"no llama\.cpp equivalent"):
        pre_tokenizer_name({**bpe, "pre_tokenizer": {"type": "Metaspace"}})
    with pytest.raises(ExportError, match="byte-level BPE"):
        pre_tokenizer_name({"model": {"type": "Unigram"}, "decoder": {"type": "Metaspace"}})


def test_scaled_rotary_embeddings_are_refused() -> None:
    assert _rope(SimpleNamespace(rope_parameters={"rope_type": "default", "rope_theta": 1e4})) == 1e4
    with pytest.raises(ExportError, match="llama3"):
        _rope(SimpleNamespace(rope_parameters={"rope_type": "llama3", "rope_theta": 5e5}))
