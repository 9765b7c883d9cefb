"""Artifacts by URI on a replica's node: the generic fetch (node-local cache, pinned sha256 digests, manifests,
atomic rename under a node lock) lives in `tuneline.common.artifacts`, shared with the training and evaluation
workers; serving's modules keep importing it from here."""

from __future__ import annotations

from tuneline.common.artifacts import (
    COMPLETE,
    ArtifactError,
    cached_path,
    digest_dir,
    fetch_dir,
    file_sha256,
    is_remote,
    local_path,
    verify,
)

__all__ = [
    "COMPLETE",
    "ArtifactError",
    "cached_path",
    "digest_dir",
    "fetch_dir",
    "file_sha256",
    "is_remote",
    "local_path",
    "verify",
]
