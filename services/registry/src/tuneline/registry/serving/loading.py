"""Loading a base model from a local Hugging Face directory and finding adapter directories.

Never touches a model hub: directories must exist locally (HF_HUB_OFFLINE=1, local_files_only=True).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse


class ModelNotFound(FileNotFoundError):
    pass


def load_base_model(path: str) -> tuple[Any, Any]:
    """(tokenizer, model in eval mode) from a local directory with config.json and weights."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    directory = Path(path)
    if not (directory / "config.json").is_file():
        raise ModelNotFound(f"base model path {path!r}: no config.json there; expected a local Hugging Face directory")
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(directory, local_files_only=True)
    model.eval()
    return tokenizer, model


def resolve_adapter_dir(uri: str, cache_dir: str | None = None) -> str:
    """A local directory holding adapter_config.json for an adapter URI (a path or file:// URI).

    Object-storage URIs are fetched by the registry before deployment (into `cache_dir`), so replicas never
    need storage credentials; an unfetched remote URI is an error that names the URI.
    """
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        local = Path(parsed.path if parsed.scheme == "file" else uri)
    elif cache_dir is not None:
        local = Path(cache_dir) / parsed.scheme / (parsed.netloc + parsed.path)
    else:
        raise ModelNotFound(f"adapter URI {uri!r}: scheme {parsed.scheme!r} needs an adapter cache directory")
    if not (local / "adapter_config.json").is_file():
        raise ModelNotFound(f"adapter URI {uri!r}: no adapter_config.json at {local}")
    return str(local)
