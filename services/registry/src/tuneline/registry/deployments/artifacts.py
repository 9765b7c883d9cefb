"""What a deployment serves, as URIs with pinned digests: the base model and each version's adapter.

Replicas may run on other nodes, so the registry never hands them a path on its own disk: it passes the
artifact's object-store URI (or a path on a volume every node mounts) together with the sha256 of every file, and
each replica fetches into its node-local cache and checks the digests (tuneline.common.artifacts). The digests come
from the artifact's manifest (`tuneline-manifest.json`, written when a base model is uploaded with
`tuneline model upload-base`) when it has one, without downloading anything; otherwise the registry reads the
artifact once itself: a remote one is fetched into its adapter cache (keyed by URI, written to a temp dir and renamed
into place) and the digests are kept beside it.
Base models are not converted here: the training service converts a reference ("smollm2-135m-instruct") once into
the shared model cache, and the registry only looks it up (or uses a configured / literal directory or URI).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from tuneline.common.artifacts import MANIFEST, ArtifactError, Manifest, digest_dir, is_remote, local_path
from tuneline.common.base_models import default_cache_dir, is_model_uri
from tuneline.common.errors import Conflict
from tuneline.common.storage import ObjectNotFound, ObjectStore, StorageError, download_prefix, locate

_COMPLETE = ".tuneline-complete"
_DIGESTS = ".tuneline-sha256.json"


@dataclass(frozen=True)
class ArtifactRef:
    """An artifact as replicas get it: where it is, and the sha256 of each of its files."""

    uri: str
    sha256: dict[str, str] = field(default_factory=dict)


async def adapter_ref(uri: str, store: ObjectStore, cache_dir: str) -> ArtifactRef:
    """The adapter's URI as stored, with digests pinned from the registry's own read of it."""
    local = Path(await local_adapter_dir(uri, store, cache_dir))
    return ArtifactRef(uri, await asyncio.to_thread(_digests, local, cached=is_remote(uri)))


async def base_model_ref(
    reference: str, mapping: dict[str, str], cache_dir: str | None, store: ObjectStore, fetch_dir: str
) -> ArtifactRef:
    """The base model for a reference: a local directory as before (the model cache must then be on every node),
    or an object-store URI (`s3://bucket/models/x`, directly or through TUNELINE_BASE_MODEL_DIRS) with pinned
    digests, which replicas fetch into their node-local cache."""
    target = mapping.get(reference, reference)
    if not is_remote(target):
        directory = resolve_base_dir(reference, mapping, cache_dir)
        manifest = await asyncio.to_thread(_local_manifest, Path(directory))
        return ArtifactRef(directory, manifest.digests() if manifest else {})
    manifest = await _stored_manifest(target, store)
    if manifest is not None:
        if "config.json" not in manifest.files:
            raise Conflict(
                f"base model {reference!r}: {target} lists no config.json in its {MANIFEST}", field="base_model"
            )
        return ArtifactRef(target, manifest.digests())
    local = Path(await _fetched(target, store, fetch_dir, "config.json"))
    return ArtifactRef(target, await asyncio.to_thread(_digests, local, cached=True))


async def local_base_model_dir(
    reference: str, mapping: dict[str, str], cache_dir: str | None, store: ObjectStore, fetch_dir: str
) -> str:
    """The base model `base_model_ref` hands to serving, as a directory on this machine (fetched into `fetch_dir`
    once when it is an object-store URI): what work on the registry's side (exports) loads."""
    target = mapping.get(reference, reference)
    if not is_remote(target):
        return resolve_base_dir(reference, mapping, cache_dir)
    return await _fetched(target, store, fetch_dir, "config.json")


async def _stored_manifest(uri: str, store: ObjectStore) -> Manifest | None:
    try:
        holder, key = locate(store, uri)
        raw = await holder.read_bytes(f"{key}/{MANIFEST}")
    except ObjectNotFound:
        return None
    except StorageError as exc:
        raise Conflict(f"artifact {uri} is not readable in the object store: {exc}", field="base_model") from exc
    try:
        return Manifest.parse(raw, uri)
    except ArtifactError as exc:
        raise Conflict(str(exc), field="base_model") from exc


def _local_manifest(directory: Path) -> Manifest | None:
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        return Manifest.parse(path.read_bytes(), str(directory))
    except ArtifactError as exc:
        raise Conflict(str(exc), field="base_model") from exc


def _digests(directory: Path, *, cached: bool) -> dict[str, str]:
    """sha256 per file; a fetched copy never changes, so its digests are computed once and kept beside it."""
    keep = directory / _DIGESTS
    if cached and keep.is_file():
        found: dict[str, str] = json.loads(keep.read_text())
        return found
    digests = digest_dir(directory)
    if cached:
        keep.write_text(json.dumps(digests))
    return digests


def resolve_base_dir(reference: str, mapping: dict[str, str], cache_dir: str | None) -> str:
    if reference in mapping:
        return _checked(_as_path(mapping[reference]), reference)
    if is_model_uri(reference):  # file:// (a remote URI never reaches here)
        return _checked(_as_path(reference), reference)
    if (Path(reference).expanduser() / "config.json").is_file():
        return str(Path(reference).expanduser())
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
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
    return await _fetched(uri, store, cache_dir, "adapter_config.json")


def _as_path(location: str) -> str:
    return str(local_path(location)) if is_model_uri(location) else location


async def _fetched(uri: str, store: ObjectStore, cache_dir: str, marker_file: str) -> str:
    try:
        store, key = locate(store, uri)
    except StorageError as exc:
        raise Conflict(f"artifact {uri} is neither a local directory nor in the object store: {exc}") from exc
    target = Path(cache_dir) / hashlib.sha256(uri.encode()).hexdigest()[:24]
    if (target / _COMPLETE).is_file():
        return str(target)
    staging = await asyncio.to_thread(_staging_dir, target)
    try:
        await download_prefix(store, key, staging)
        await asyncio.to_thread(_publish, staging, target, uri, marker_file)
    finally:
        await asyncio.to_thread(shutil.rmtree, staging, True)
    return str(target)


def _staging_dir(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))


def _publish(staging: Path, target: Path, uri: str, marker_file: str) -> None:
    """Rename the complete download into place; a concurrent fetch of the same URI may have won already."""
    if not (staging / marker_file).is_file():
        raise Conflict(f"artifact {uri} has no {marker_file}")
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
