"""Artifacts by URI on the node that uses them: a directory (adapter or base model) named by an object-store URI
is downloaded into this node's cache once and checked file by file against the sha256 digests the registry pinned.

Nothing here trusts a path on another process's disk: a remote URI (`s3://…`) is always fetched on this node, and a
local URI (`file://…` or a path) is only read where it exists — the embedded store, or a volume every node mounts
at the same path — and is checked against the same digests.

Runs inside Serve replicas (synchronous, in a worker thread): the object store's async client runs in a private
event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

COMPLETE = ".tuneline-complete"


class ArtifactError(RuntimeError):
    """An artifact could not be fetched or failed its integrity check; the message names the URI and the file."""


def is_remote(uri: str) -> bool:
    return urlparse(uri).scheme not in ("", "file")


def local_path(uri: str) -> Path:
    parsed = urlparse(uri)
    return Path(unquote(parsed.path) if parsed.scheme == "file" else uri)


def digest_dir(directory: Path) -> dict[str, str]:
    """sha256 of every file below `directory` (relative POSIX paths), bookkeeping files excluded."""
    out = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.name.startswith(".tuneline-") and not path.name.startswith(".fetch-"):
            out[path.relative_to(directory).as_posix()] = file_sha256(path)
    return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(directory: Path, digests: dict[str, str], uri: str) -> None:
    """Every pinned file is present with its digest (extra files, e.g. a README added later, are ignored)."""
    for name, expected in sorted(digests.items()):
        path = directory / name
        if not path.is_file():
            raise ArtifactError(f"artifact {uri}: file {name} is missing")
        actual = file_sha256(path)
        if actual != expected:
            raise ArtifactError(f"artifact {uri}: file {name} has sha256 {actual[:12]}…, expected {expected[:12]}…")


def cached_path(uri: str, digests: dict[str, str], cache_dir: str) -> Path:
    """Where this node keeps its verified copy of the artifact at `uri` with these digests."""
    pin = hashlib.sha256(json.dumps([uri, sorted(digests.items())]).encode()).hexdigest()[:24]
    return Path(cache_dir) / pin


def fetch_dir(uri: str, digests: dict[str, str], store: Any | None, cache_dir: str | None) -> str:
    """A local directory with the artifact at `uri`, checked against `digests`.

    `store` is an ObjectStore for remote URIs (None where only local URIs are expected); `cache_dir` is this node's
    cache. A cached copy is reused only when it was verified against the same digests.
    """
    if not is_remote(uri):
        path = local_path(uri)
        if not path.is_dir():
            raise ArtifactError(
                f"artifact {uri}: no such directory on this node; use an object-store URI or a volume every Ray "
                "node mounts at the same path"
            )
        verify(path, digests, uri)
        return str(path)
    if store is None or cache_dir is None:
        raise ArtifactError(f"artifact {uri}: a remote URI needs the object store and a cache directory on the replica")
    if not digests:
        raise ArtifactError(f"artifact {uri}: no sha256 digests were pinned for it; refusing an unchecked download")
    target = cached_path(uri, digests, cache_dir)
    if (target / COMPLETE).is_file():
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
    try:
        from tuneline.common.storage import StorageError, download_prefix

        try:
            key = store.key_from_uri(uri)
            asyncio.run(download_prefix(store, key, staging))
        except StorageError as exc:
            raise ArtifactError(f"artifact {uri}: download failed: {exc}") from exc
        verify(staging, digests, uri)
        (staging / COMPLETE).write_text(uri)
        try:
            staging.rename(target)
        except OSError:  # a concurrent fetch of the same pin won the rename
            if not (target / COMPLETE).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(target)
