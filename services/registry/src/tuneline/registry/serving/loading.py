"""Loading a base model and finding adapter directories, from the object store by URI or a local directory.

Never touches a model hub (HF_HUB_OFFLINE=1, local_files_only=True).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tuneline.common.devices import inference_device
from tuneline.registry.serving.fetch import ArtifactError, fetch_dir


class ModelNotFound(FileNotFoundError):
    pass


def fetch_base_dir(
    path: str, store: Any = None, digests: dict[str, str] | None = None, cache_dir: str | None = None
) -> Path:
    """The base model's local Hugging Face directory (fetched into `cache_dir`/base and checked when remote)."""
    try:
        local = fetch_dir(path, digests or {}, store, str(Path(cache_dir) / "base") if cache_dir else None)
    except ArtifactError as exc:
        raise ModelNotFound(f"base model {path!r}: {exc}") from exc
    directory = Path(local)
    if not (directory / "config.json").is_file():
        raise ModelNotFound(f"base model path {path!r}: no config.json there; expected a Hugging Face directory")
    return directory


def load_base_model(
    path: str, store: Any = None, digests: dict[str, str] | None = None, cache_dir: str | None = None
) -> tuple[Any, Any]:
    """(tokenizer, model in eval mode) from a Hugging Face directory with config.json and weights: a local path, or
    an object-store URI fetched into this node's cache (`cache_dir`/base) and checked against `digests`. The model
    is on the GPU in bf16 when the replica has one (`tuneline.common.devices`)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    directory = fetch_base_dir(path, store, digests, cache_dir)
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    where = inference_device()  # CUDA in bf16 when the replica has a GPU, else CPU float32
    model = AutoModelForCausalLM.from_pretrained(directory, local_files_only=True, dtype=where.dtype).to(where.device)
    model.eval()
    return tokenizer, model


def resolve_adapter_dir(
    uri: str, cache_dir: str | None = None, store: Any = None, digests: dict[str, str] | None = None
) -> str:
    """A local directory holding adapter_config.json for an adapter URI.

    A remote URI is fetched into this node's cache and checked against the pinned `digests` (see fetch.py); a
    local path or file:// URI is read in place (the embedded store, or a volume every node mounts), checked too.
    """
    try:
        local = Path(fetch_dir(uri, digests or {}, store, cache_dir))
    except ArtifactError as exc:
        raise ModelNotFound(str(exc)) from exc
    if not (local / "adapter_config.json").is_file():
        raise ModelNotFound(f"adapter URI {uri!r}: no adapter_config.json at {local}")
    return str(local)
