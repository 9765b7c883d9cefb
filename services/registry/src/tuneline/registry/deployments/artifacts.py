"""Local directories for what a deployment serves: the base model and each version's adapter.

Ray replicas load from local paths, so adapters stored in the object store are fetched once into the adapter
cache (keyed by URI, written to a temp dir and renamed into place). With a remote Ray cluster the cache must be a
path every node sees (a shared volume); replicas never need object-store credentials.
Base models are not converted here: the training service converts a reference ("smollm2-135m-instruct") once into
the shared model cache, and the registry only looks it up (or uses a configured / literal local directory).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from tuneline.common.errors import Conflict
from tuneline.common.storage import ObjectStore, StorageError, download_prefix

_COMPLETE = ".tuneline-complete"


def resolve_base_dir(reference: str, mapping: dict[str, str], cache_dir: str | None) -> str:
    if reference in mapping:
        return _checked(mapping[reference], reference)
    if (Path(reference).expanduser() / "config.json").is_file():
        return str(Path(reference).expanduser())
    cache = Path(cache_dir or os.environ.get("TUNELINE_MODEL_CACHE") or Path.home() / ".cache/tuneline/models")
    ref = reference.strip().lower()
    candidates = sorted(
        p for p in cache.glob(f"{ref}-*") if (p / _COMPLETE).is_file() and (p / "config.json").is_file()
    )
    if candidates:
        return str(candidates[-1])
    raise Conflict(
        f"base model {reference!r} has no local directory: not in TUNELINE_BASE_MODEL_DIRS, not a model directory, "
        f"and not converted in {cache} yet (the training service converts it on first use)",
        field="base_model",
    )


async def local_adapter_dir(uri: str, store: ObjectStore, cache_dir: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        path = Path(unquote(parsed.path) if parsed.scheme == "file" else uri)
        if (path / "adapter_config.json").is_file():
            return str(path)
    try:
        key = store.key_from_uri(uri)
    except StorageError as exc:
        raise Conflict(f"adapter {uri} is neither a local adapter directory nor in the object store: {exc}") from exc
    target = Path(cache_dir) / hashlib.sha256(uri.encode()).hexdigest()[:24]
    if (target / _COMPLETE).is_file():
        return str(target)
    staging = await asyncio.to_thread(_staging_dir, target)
    try:
        await download_prefix(store, key, staging)
        await asyncio.to_thread(_publish, staging, target, uri)
    finally:
        await asyncio.to_thread(shutil.rmtree, staging, True)
    return str(target)


def _staging_dir(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))


def _publish(staging: Path, target: Path, uri: str) -> None:
    """Rename the complete download into place; a concurrent fetch of the same URI may have won already."""
    if not (staging / "adapter_config.json").is_file():
        raise Conflict(f"adapter {uri} has no adapter_config.json")
    (staging / _COMPLETE).write_text(uri)
    try:
        staging.rename(target)
    except OSError:
        if not (target / _COMPLETE).is_file():
            raise


def _checked(path: str, reference: str) -> str:
    if not (Path(path) / "config.json").is_file():
        raise Conflict(f"base model {reference!r} maps to {path}, which has no config.json", field="base_model")
    return path
