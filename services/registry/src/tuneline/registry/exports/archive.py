"""A directory export (merged, adapter) downloaded as one uncompressed tar, streamed from the object store.

Headers are built up front from the recorded sizes, so the answer has a Content-Length and no file is staged on the
registry's disk. Safetensors weights do not compress, hence no gzip.
"""

from __future__ import annotations

import tarfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from tuneline.common.storage import ObjectStore, StorageError

BLOCK = 512


@dataclass(frozen=True)
class TarPlan:
    entries: list[tuple[bytes, str, int]]  # (header, object key, size)
    length: int


def plan(prefix: str, root: str, files: list[dict[str, Any]], mtime: float) -> TarPlan:
    """The tar of `files` (stored under `prefix`) as `root/<path>`."""
    entries, length = [], 2 * BLOCK  # the end-of-archive marker
    for f in files:
        info = tarfile.TarInfo(name=f"{root}/{f['path']}")
        info.size, info.mode, info.mtime = int(f["size"]), 0o644, int(mtime)
        header = info.tobuf(format=tarfile.PAX_FORMAT)
        entries.append((header, f"{prefix.rstrip('/')}/{f['path']}", info.size))
        length += len(header) + info.size + (-info.size) % BLOCK
    return TarPlan(entries, length)


async def stream(store: ObjectStore, tar: TarPlan) -> AsyncIterator[bytes]:
    for header, key, size in tar.entries:
        yield header
        sent = 0
        async for chunk in store.get(key):
            sent += len(chunk)
            yield chunk
        if sent != size:  # the stored object changed under us: a truncated archive must not look complete
            raise StorageError(f"export object {key} has {sent} bytes, {size} recorded")
        if size % BLOCK:
            yield b"\0" * (BLOCK - size % BLOCK)
    yield b"\0" * (2 * BLOCK)
