"""Artifacts by URI on the node that uses them: a directory (adapter or base model) named by an object-store URI is
downloaded into this node's cache once and checked file by file before anything loads it.

Nothing here trusts a path on another process's disk: a remote URI (`s3://…`) is always fetched on this node, and a
local URI (`file://…` or a path) is only read where it exists — the embedded store, or a volume every node mounts
at the same path — and is checked the same way.

What a directory is checked against:
- digests pinned by whoever hands the URI on (the registry pins every file of an adapter when it deploys it);
- its manifest, ``tuneline-manifest.json`` at the directory's root: every file's sha256 and size, written when a
  base model is uploaded (`upload_with_manifest`, the `tuneline model upload-base` command), where nobody else pins
  digests. A manifest is uploaded last, so one that exists speaks for a complete upload.

A fetch downloads into a private staging directory next to its target, checks it, marks it complete and renames it
into place, under a lock file of that target: two processes of one node fetching the same artifact at once download
it once, and nobody ever sees a half-written or unchecked copy.

Synchronous (workers and Serve replicas call it from threads); the object store's async client runs in a private
event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

from tuneline.common.storage import (
    ObjectNotFound,
    ObjectStore,
    StorageError,
    check_key,
    download_prefix,
    download_to,
    locate,
)

#: Written last into a finished copy: a directory without it is incomplete.
COMPLETE = ".tuneline-complete"
#: A directory's own list of its files with their sha256 and size (JSON, see `Manifest`).
MANIFEST = "tuneline-manifest.json"
MANIFEST_FORMAT = "tuneline-manifest/1"
ALLOW_UNVERIFIED = "TUNELINE_ALLOW_UNVERIFIED_BASE_MODELS"
_SHA256 = re.compile(r"[0-9a-f]{64}")
T = TypeVar("T")


class ArtifactError(RuntimeError):
    """An artifact could not be fetched or failed its integrity check; the message names the URI and the file."""


def is_remote(uri: str) -> bool:
    return urlparse(uri).scheme not in ("", "file")


def local_path(uri: str) -> Path:
    parsed = urlparse(uri)
    return Path(unquote(parsed.path) if parsed.scheme == "file" else uri)


def _bookkeeping(path: Path) -> bool:
    return path.name.startswith((".tuneline-", ".fetch-")) or path.name == MANIFEST


def _files(directory: Path) -> list[Path]:
    return [p for p in sorted(directory.rglob("*")) if p.is_file() and not _bookkeeping(p)]


def digest_dir(directory: Path) -> dict[str, str]:
    """sha256 of every file below `directory` (relative POSIX paths), bookkeeping files and the manifest excluded."""
    return {path.relative_to(directory).as_posix(): file_sha256(path) for path in _files(directory)}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(directory: Path, digests: dict[str, str], uri: str, sizes: dict[str, int] | None = None) -> None:
    """Every pinned file is present with its digest (and size, when known); extra files (a README added later)
    are ignored."""
    for name, expected in sorted(digests.items()):
        path = directory / name
        if not path.is_file():
            raise ArtifactError(f"artifact {uri}: file {name} is missing")
        if sizes is not None and name in sizes and (size := path.stat().st_size) != sizes[name]:
            raise ArtifactError(f"artifact {uri}: file {name} has {size} bytes, expected {sizes[name]}")
        actual = file_sha256(path)
        if actual != expected:
            raise ArtifactError(f"artifact {uri}: file {name} has sha256 {actual[:12]}…, expected {expected[:12]}…")


# ----------------------------------------------------------------------------------------------- manifests


@dataclass(frozen=True)
class Manifest:
    """Each file of a directory (relative POSIX path) with its sha256 and size in bytes.

    JSON: ``{"format": "tuneline-manifest/1", "files": {"config.json": {"sha256": "…", "size": 123}, …}}``.
    """

    files: dict[str, tuple[str, int]]

    def digests(self) -> dict[str, str]:
        return {name: sha for name, (sha, _size) in self.files.items()}

    def sizes(self) -> dict[str, int]:
        return {name: size for name, (_sha, size) in self.files.items()}

    def to_json(self) -> bytes:
        files = {name: {"sha256": sha, "size": size} for name, (sha, size) in sorted(self.files.items())}
        return (json.dumps({"format": MANIFEST_FORMAT, "files": files}, indent=1) + "\n").encode()

    def tag(self) -> str:
        """Short and stable for one content: names the cached copy of it."""
        return hashlib.sha256(self.to_json()).hexdigest()[:16]

    @classmethod
    def parse(cls, raw: bytes, uri: str) -> Manifest:
        """Refuses anything but a well-formed manifest, naming the URI and what is wrong."""
        where = f"artifact {uri}: {MANIFEST}"
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ArtifactError(f"{where} is not JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise ArtifactError(f"{where}: format must be {MANIFEST_FORMAT!r}")
        entries = data.get("files")
        if not isinstance(entries, dict) or not entries:
            raise ArtifactError(f"{where}: 'files' must be a non-empty object of path -> {{sha256, size}}")
        files: dict[str, tuple[str, int]] = {}
        for name, entry in entries.items():
            try:
                check_key(name)  # relative, no '..': a manifest never writes outside the directory
            except StorageError:
                raise ArtifactError(f"{where}: file name {name!r} is not a relative path inside it") from None
            sha = entry.get("sha256") if isinstance(entry, dict) else None
            size = entry.get("size") if isinstance(entry, dict) else None
            if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
                raise ArtifactError(f"{where}: file {name}: sha256 must be 64 lowercase hex digits")
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise ArtifactError(f"{where}: file {name}: size must be a non-negative integer")
            files[name] = (sha, size)
        return cls(files)


def build_manifest(directory: Path) -> Manifest:
    """The manifest of every file below `directory` (bookkeeping files and an existing manifest excluded)."""
    if not directory.is_dir():
        raise ArtifactError(f"{directory} is not a directory")
    files = {p.relative_to(directory).as_posix(): (file_sha256(p), p.stat().st_size) for p in _files(directory)}
    if not files:
        raise ArtifactError(f"{directory} holds no files")
    return Manifest(files)


def verify_manifest(directory: Path, manifest: Manifest, uri: str) -> None:
    verify(directory, manifest.digests(), uri, manifest.sizes())


async def upload_with_manifest(store: ObjectStore, directory: Path, key: str) -> Manifest:
    """Upload every file of `directory` under `key`, then its manifest, last: a reader that finds the manifest
    finds every file it lists. Each uploaded object's sha256 is compared with the manifest's (a file that changed
    while it was read is refused)."""
    manifest = await asyncio.to_thread(build_manifest, directory)
    prefix = key.rstrip("/")
    for name, (sha, _size) in sorted(manifest.files.items()):
        with (directory / name).open("rb") as fh:
            info = await store.put(f"{prefix}/{name}", fh)
        if info.sha256 is not None and info.sha256 != sha:
            raise ArtifactError(f"{directory / name} changed while it was uploaded; upload it again")
    await store.put(f"{prefix}/{MANIFEST}", manifest.to_json(), content_type="application/json")
    return manifest


def read_manifest(store: ObjectStore, uri: str) -> Manifest | None:
    """The manifest stored under `uri` (an object-store directory), or None when it has none."""
    holder, key = _located(store, uri)
    try:
        raw = _run(holder.read_bytes(f"{key}/{MANIFEST}"))
    except ObjectNotFound:
        return None
    except StorageError as exc:
        raise ArtifactError(f"artifact {uri}: reading its {MANIFEST} failed: {exc}") from exc
    return Manifest.parse(raw, uri)


# ----------------------------------------------------------------------------------------------- fetching


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
        path = _local_dir(uri)
        verify(path, digests, uri)
        return str(path)
    if store is None or cache_dir is None:
        raise ArtifactError(f"artifact {uri}: a remote URI needs the object store and a cache directory on the replica")
    if not digests:
        raise ArtifactError(f"artifact {uri}: no sha256 digests were pinned for it; refusing an unchecked download")
    target = cached_path(uri, digests, cache_dir)
    return str(fetch_into(target, uri, store, None, lambda staging: verify(staging, digests, uri)))


def fetch_into(
    target: Path,
    uri: str,
    store: ObjectStore,
    files: list[str] | None,
    check: Callable[[Path], None],
    extra: dict[str, bytes] | None = None,
) -> Path:
    """`target`, holding the directory at `uri` (only `files`, or everything under it), once `check` passed on it.

    Returns at once when a complete copy is there. Otherwise takes the target's lock (another process of this node
    fetching it meanwhile finishes first, and its copy is used), downloads into a staging directory beside it,
    checks, writes `extra` files and the completion marker, and renames it into place.
    """
    if (target / COMPLETE).is_file():
        return target
    holder, key = _located(store, uri)
    target.parent.mkdir(parents=True, exist_ok=True)
    with node_lock(target):
        if (target / COMPLETE).is_file():
            return target
        _clear_leftovers(target)
        staging = Path(tempfile.mkdtemp(prefix=f".fetch-{target.name}-", dir=target.parent))
        try:
            staging.chmod(0o755)  # mkdtemp makes it private; the cache is shared by this node's processes
            try:
                _run(_download(holder, key, staging, files))
            except ObjectNotFound as exc:
                raise ArtifactError(f"artifact {uri}: a listed file is not in the object store: {exc}") from exc
            except StorageError as exc:
                raise ArtifactError(f"artifact {uri}: download failed: {exc}") from exc
            if not any(staging.iterdir()):
                raise ArtifactError(f"artifact {uri}: nothing is stored under it")
            check(staging)
            for name, content in (extra or {}).items():
                (staging / name).write_bytes(content)
            (staging / COMPLETE).write_text(uri)
            try:
                staging.rename(target)
            except OSError:  # a filesystem whose locks do not hold across processes: another fetch won the rename
                if not (target / COMPLETE).is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


@contextlib.contextmanager
def node_lock(target: Path) -> Iterator[None]:
    """An exclusive lock of `target` among this node's processes and threads (flock on a file beside it)."""
    fd = os.open(target.parent / f".{target.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _clear_leftovers(target: Path) -> None:
    """Staging directories of fetches of `target` that died half-way (we hold its lock: nobody else fetches it);
    and an incomplete target, which only a crash between rename and marker of an older release leaves."""
    for stale in target.parent.glob(f".fetch-{target.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if target.exists() and not (target / COMPLETE).is_file():
        shutil.rmtree(target, ignore_errors=True)


async def _download(store: ObjectStore, key: str, staging: Path, files: list[str] | None) -> None:
    if files is None:
        await download_prefix(store, key, staging)
        return
    for name in files:
        await download_to(store, f"{key.rstrip('/')}/{name}", staging / name)


def _located(store: ObjectStore, uri: str) -> tuple[ObjectStore, str]:
    try:
        return locate(store, uri)
    except StorageError as exc:
        raise ArtifactError(f"artifact {uri}: not reachable through the object store: {exc}") from exc


def _local_dir(uri: str) -> Path:
    path = local_path(uri)
    if not path.is_dir():
        raise ArtifactError(
            f"artifact {uri}: no such directory on this node; use an object-store URI or a volume every node "
            "mounts at the same path"
        )
    return path


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run the store's coroutine in a private loop (callers are threads without one, or hold a loop that is not
    running, like the training executor's). A caller on a thread whose loop is running — a Serve replica's
    synchronous constructor runs on the replica's event loop — waits for a private loop on a thread of its own:
    a second loop cannot run on that thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_here(coro)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tuneline-fetch") as pool:
        return pool.submit(_run_here, coro).result()


def _run_here(coro: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


# ----------------------------------------------------------------------------------------------- model directories


def fetch_model_dir(uri: str, store: ObjectStore | None, cache_dir: Path, *, allow_unverified: bool = False) -> Path:
    """A local directory holding the model (or any directory artifact) at `uri`, verified by its manifest.

    Remote (`s3://…`): the manifest is read from the store; the copy in ``cache_dir/remote`` made from the same
    manifest is reused when complete and its files have the listed sizes, else the listed files are downloaded and
    checked. Local (`file://…` or a path): read in place and checked against its manifest (once per change of
    its files: the check is remembered in ``cache_dir/verified``). Without a manifest the URI is refused, naming
    it, unless `allow_unverified`.
    """
    if not is_remote(uri):
        return _local_model_dir(uri, cache_dir, allow_unverified)
    if store is None:
        raise ArtifactError(f"artifact {uri}: fetching it needs the object store, and none was given")
    manifest = read_manifest(store, uri)
    if manifest is None:
        holder, key = _located(store, uri)
        try:
            listing = _run(holder.list(key.rstrip("/") + "/"))
        except StorageError as exc:
            raise ArtifactError(f"artifact {uri}: listing it failed: {exc}") from exc
        if not listing:
            raise ArtifactError(f"artifact {uri}: nothing is stored under it")
        if not allow_unverified:
            raise ArtifactError(_unverified_refusal(uri))
        content = hashlib.sha256(json.dumps(sorted((i.key, i.size) for i in listing)).encode()).hexdigest()[:12]
        target = remote_copies(cache_dir, uri) / f"unverified-{content}"
        return fetch_into(target, uri, store, None, lambda _staging: None)
    target = remote_copies(cache_dir, uri) / manifest.tag()
    if (target / COMPLETE).is_file() and not _sizes_match(target, manifest):
        with node_lock(target):  # a damaged copy (a truncated file): fetched again, never used
            if (target / COMPLETE).is_file() and not _sizes_match(target, manifest):
                shutil.rmtree(target)
    return fetch_into(
        target,
        uri,
        store,
        sorted(manifest.files),
        lambda staging: verify_manifest(staging, manifest, uri),
        extra={MANIFEST: manifest.to_json()},
    )


def remote_copies(cache_dir: Path, uri: str) -> Path:
    """The directory of this node's copies of `uri` (one per manifest, i.e. per upload of it)."""
    return cache_dir / "remote" / hashlib.sha256(uri.encode()).hexdigest()[:16]


def cached_model_dir(uri: str, cache_dir: Path) -> Path | None:
    """A complete copy of `uri` already on this node (the newest), without any download or network call."""
    if not is_remote(uri):
        path = local_path(uri)
        return path if (path / "config.json").is_file() else None
    copies = remote_copies(cache_dir, uri)
    done = [p for p in copies.glob("*") if (p / COMPLETE).is_file()] if copies.is_dir() else []
    return max(done, key=lambda p: (p / COMPLETE).stat().st_mtime_ns) if done else None


def _sizes_match(directory: Path, manifest: Manifest) -> bool:
    for name, size in manifest.sizes().items():
        path = directory / name
        if not path.is_file() or path.stat().st_size != size:
            return False
    return True


def _local_model_dir(uri: str, cache_dir: Path, allow_unverified: bool) -> Path:
    path = _local_dir(uri)
    manifest_file = path / MANIFEST
    if not manifest_file.is_file():
        if allow_unverified:
            return path
        raise ArtifactError(_unverified_refusal(uri))
    manifest = Manifest.parse(manifest_file.read_bytes(), uri)
    stamp = cache_dir / "verified" / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16] + ".json")
    seen = _stats(path, manifest)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(stamp.read_text()) == {"manifest": manifest.tag(), "files": seen}:
            return path  # verified before, and no file changed since (size and mtime)
    verify_manifest(path, manifest, uri)
    with contextlib.suppress(OSError):  # a read-only cache costs only a new check next time
        stamp.parent.mkdir(parents=True, exist_ok=True)
        partial = stamp.with_name(f".{stamp.name}.{os.getpid()}")
        partial.write_text(json.dumps({"manifest": manifest.tag(), "files": seen}))
        partial.replace(stamp)
    return path


def _stats(directory: Path, manifest: Manifest) -> dict[str, list[int]]:
    out = {}
    for name in sorted(manifest.files):
        with contextlib.suppress(OSError):
            stat = (directory / name).stat()
            out[name] = [stat.st_size, stat.st_mtime_ns]
    return out


def _unverified_refusal(uri: str) -> str:
    return (
        f"artifact {uri}: has no {MANIFEST}, so its files cannot be checked; upload the directory with "
        f"`tuneline model upload-base DIR {uri}` (it writes the manifest), or set {ALLOW_UNVERIFIED}=true to use "
        "base models without one"
    )
