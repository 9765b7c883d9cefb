"""Directories by URI on the node that uses them: manifests, the node-local cache, integrity checks and concurrent
fetches, against a fake S3 store (a local directory answering for s3://models/…; integration tests use SeaweedFS)."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tuneline.common.artifacts import (
    COMPLETE,
    MANIFEST,
    ArtifactError,
    Manifest,
    build_manifest,
    cached_model_dir,
    fetch_model_dir,
    remote_copies,
    upload_with_manifest,
)
from tuneline.common.base_models import BaseModelSource, locate_base_model, resolve_base_model
from tuneline.common.storage import LocalObjectStore, StorageError, check_key

URI = "s3://models/base/tiny"


class FakeS3(LocalObjectStore):
    """The bucket s3://models kept in a local directory; every download of an object is counted (in a file, so
    forked processes count too) and may be slowed down so that concurrent fetches overlap."""

    def __init__(self, root: Path, delay_s: float = 0.0) -> None:
        super().__init__(root / "bucket")
        self.base_uri = "s3://models"
        self.log = root / "downloads.log"
        self.delay_s = delay_s

    def uri(self, key: str) -> str:
        return f"s3://models/{check_key(key)}"

    def key_from_uri(self, uri: str) -> str:
        if not uri.startswith("s3://models/"):
            raise StorageError(f"{uri} is not an object of the store at {self.base_uri}")
        return check_key(uri.removeprefix("s3://models/"))

    async def get(self, key: str) -> AsyncIterator[bytes]:
        with self.log.open("a") as fh:
            fh.write(key + "\n")
        await asyncio.sleep(self.delay_s)
        async for chunk in super().get(key):
            yield chunk

    def downloads(self) -> list[str]:
        """Objects read, the manifest aside (it is read on every use, to know which copy is current)."""
        read = self.log.read_text().split() if self.log.exists() else []
        return [key for key in read if not key.endswith(MANIFEST)]


def model(directory: Path) -> Path:
    (directory / "tokenizer").mkdir(parents=True)
    (directory / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 8}))
    (directory / "model.safetensors").write_bytes(os.urandom(4096))
    (directory / "tokenizer" / "tokenizer.json").write_text('{"version": "1.0"}')
    return directory


@pytest.fixture
def store(tmp_path: Path) -> FakeS3:
    store = FakeS3(tmp_path / "s3")
    asyncio.run(upload_with_manifest(store, model(tmp_path / "src"), "base/tiny"))
    return store


# --------------------------------------------------------------------------------------------- manifests


def test_a_manifest_lists_every_file_with_sha256_and_size_and_leaves_bookkeeping_out(tmp_path: Path) -> None:
    src = model(tmp_path / "m")
    (src / COMPLETE).write_text("x")
    (src / MANIFEST).write_text("{}")
    manifest = build_manifest(src)
    assert sorted(manifest.files) == ["config.json", "model.safetensors", "tokenizer/tokenizer.json"]
    assert manifest.files["model.safetensors"][1] == 4096
    assert Manifest.parse(manifest.to_json(), URI) == manifest
    assert json.loads(manifest.to_json())["format"] == "tuneline-manifest/1"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"not json", "is not JSON"),
        (b'{"format": "other", "files": {}}', "format must be"),
        (b'{"format": "tuneline-manifest/1", "files": {}}', "non-empty object"),
        (b'{"format": "tuneline-manifest/1", "files": {"../x": {"sha256": "' + b"a" * 64 + b'", "size": 1}}}',
         "not a relative path"),
        (b'{"format": "tuneline-manifest/1", "files": {"x": {"sha256": "abc", "size": 1}}}', "64 lowercase hex"),
        (b'{"format": "tuneline-manifest/1", "files": {"x": {"sha256": "' + b"a" * 64 + b'", "size": -1}}}',
         "non-negative integer"),
    ],
)  # fmt: skip
def test_a_malformed_manifest_is_refused_naming_the_uri_and_the_problem(raw: bytes, problem: str) -> None:
    with pytest.raises(ArtifactError, match=f"artifact {URI}: {MANIFEST}.*{problem}"):
        Manifest.parse(raw, URI)


def test_the_upload_writes_the_manifest_last_beside_the_files(store: FakeS3) -> None:
    keys = [info.key for info in asyncio.run(store.list("base/tiny/"))]
    assert sorted(keys) == sorted(
        f"base/tiny/{n}" for n in ("config.json", "model.safetensors", MANIFEST, "tokenizer/tokenizer.json")
    )
    written = sorted(store.root.joinpath("base/tiny").rglob("*"), key=lambda p: p.stat().st_mtime_ns)
    assert written[-1].name == MANIFEST


# --------------------------------------------------------------------------------------------- fetching


def test_a_model_uri_is_fetched_once_into_the_node_cache_checked_and_then_reused(store: FakeS3, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    local = fetch_model_dir(URI, store, cache)
    assert local.parent == remote_copies(cache, URI) and (local / COMPLETE).is_file()
    assert build_manifest(local) == build_manifest(tmp_path / "src")
    assert len(store.downloads()) == 3  # the three listed files; the manifest is read, not downloaded into it
    assert fetch_model_dir(URI, store, cache) == local
    assert len(store.downloads()) == 3  # reused: nothing downloaded again
    assert cached_model_dir(URI, cache) == local  # found without any store at all


async def test_a_synchronous_fetch_from_code_running_on_an_event_loop_works(store: FakeS3, tmp_path: Path) -> None:
    """A Serve replica's synchronous constructor runs on the replica's event loop: the fetch must not try to run a
    second loop on that thread (it did: "Cannot run the event loop while another loop is running")."""
    asyncio.get_running_loop()  # the situation under test
    local = fetch_model_dir(URI, store, tmp_path / "cache")
    assert build_manifest(local) == build_manifest(tmp_path / "src")


def test_a_file_that_does_not_match_the_manifest_is_refused_naming_it_and_nothing_is_kept(
    store: FakeS3, tmp_path: Path
) -> None:
    weights = store.root / "base" / "tiny" / "model.safetensors"
    weights.write_bytes(os.urandom(4096))  # same size, other bytes: overwritten after the upload
    cache = tmp_path / "cache"
    with pytest.raises(ArtifactError, match=rf"artifact {URI}: file model\.safetensors has sha256 \w+…, expected"):
        fetch_model_dir(URI, store, cache)
    weights.write_bytes(b"short")
    with pytest.raises(ArtifactError, match=r"file model\.safetensors has 5 bytes, expected 4096"):
        fetch_model_dir(URI, store, cache)
    left = [p.name for p in remote_copies(cache, URI).iterdir() if not p.name.endswith(".lock")]
    assert left == []  # no copy, no staging directory


def test_a_uri_without_a_manifest_is_refused_unless_unverified_models_are_allowed(
    store: FakeS3, tmp_path: Path
) -> None:
    (store.root / "base" / "tiny" / MANIFEST).unlink()
    with pytest.raises(ArtifactError, match=rf"artifact {URI}: has no {MANIFEST}.*tuneline model upload-base"):
        fetch_model_dir(URI, store, tmp_path / "cache")
    assert store.downloads() == []
    local = fetch_model_dir(URI, store, tmp_path / "cache", allow_unverified=True)
    assert (local / "config.json").is_file() and (local / "tokenizer" / "tokenizer.json").is_file()


def test_a_uri_with_nothing_under_it_is_named(store: FakeS3, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="artifact s3://models/base/none: nothing is stored under it"):
        fetch_model_dir("s3://models/base/none", store, tmp_path / "cache", allow_unverified=True)


def test_a_damaged_cached_copy_is_fetched_again(store: FakeS3, tmp_path: Path) -> None:
    local = fetch_model_dir(URI, store, tmp_path / "cache")
    (local / "model.safetensors").write_bytes(b"truncated")
    assert fetch_model_dir(URI, store, tmp_path / "cache") == local
    assert (local / "model.safetensors").stat().st_size == 4096
    assert len(store.downloads()) == 6


def test_two_threads_fetching_the_same_model_download_it_once(tmp_path: Path) -> None:
    store = FakeS3(tmp_path / "s3", delay_s=0.2)
    asyncio.run(upload_with_manifest(store, model(tmp_path / "src"), "base/tiny"))
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(fetch_model_dir(URI, store, tmp_path / "cache")))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    assert sorted(store.downloads()) == sorted(f"base/tiny/{n}" for n in build_manifest(tmp_path / "src").files)


def _fetch_in_child(root: str, cache: str, out: str) -> None:
    store = FakeS3(Path(root), delay_s=0.2)
    Path(out).write_text(str(fetch_model_dir(URI, store, Path(cache))))


def test_two_processes_fetching_the_same_model_at_once_share_one_verified_copy(tmp_path: Path) -> None:
    store = FakeS3(tmp_path / "s3")
    asyncio.run(upload_with_manifest(store, model(tmp_path / "src"), "base/tiny"))
    fork = multiprocessing.get_context("fork")
    outs = [tmp_path / f"out-{i}" for i in range(2)]
    children = [
        fork.Process(target=_fetch_in_child, args=(str(tmp_path / "s3"), str(tmp_path / "cache"), str(out)))
        for out in outs
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    local = Path(outs[0].read_text())
    assert outs[1].read_text() == str(local)
    assert build_manifest(local) == build_manifest(tmp_path / "src")
    assert len(store.downloads()) == 3  # one process downloaded; the other waited for its lock and reused the copy


def test_a_local_directory_uri_is_checked_against_its_manifest_in_place(tmp_path: Path) -> None:
    src = model(tmp_path / "shared" / "tiny")
    (src / MANIFEST).write_bytes(build_manifest(src).to_json())
    cache = tmp_path / "cache"
    assert fetch_model_dir(src.as_uri(), None, cache) == src
    assert fetch_model_dir(src.as_uri(), None, cache) == src  # checked once; remembered until a file changes
    (src / "tokenizer" / "tokenizer.json").write_text('{"version": "2.0"}')
    with pytest.raises(ArtifactError, match=r"file tokenizer/tokenizer\.json has sha256"):
        fetch_model_dir(src.as_uri(), None, cache)
    (src / MANIFEST).unlink()
    with pytest.raises(ArtifactError, match=f"has no {MANIFEST}"):
        fetch_model_dir(src.as_uri(), None, cache)


# --------------------------------------------------------------------------------------------- base models


def test_a_reference_mapped_to_a_uri_resolves_to_the_fetched_copy_and_is_located_without_a_download(
    store: FakeS3, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    mapping = {"tiny-base": URI}
    assert locate_base_model("tiny-base", cache, mapping) is None  # nothing here yet, and nothing fetched to know
    assert store.downloads() == []
    source = BaseModelSource(store, mapping)
    by_name = resolve_base_model("tiny-base", cache, source)
    assert resolve_base_model(URI, cache, source) == by_name
    assert (by_name / "config.json").is_file()
    assert locate_base_model("tiny-base", cache, mapping) == by_name == locate_base_model(URI, cache)


def test_a_base_model_uri_names_the_reference_when_it_fails(store: FakeS3, tmp_path: Path) -> None:
    (store.root / "base" / "tiny" / "config.json").write_text("{}")
    with pytest.raises(
        ArtifactError, match=rf"base_model 'tiny-base' \(TUNELINE_BASE_MODEL_DIRS\): artifact {URI}: file config\.json"
    ):
        resolve_base_model("tiny-base", tmp_path / "cache", BaseModelSource(store, {"tiny-base": URI}))
    with pytest.raises(ArtifactError, match="needs the object store"):
        resolve_base_model(URI, tmp_path / "cache")
    with pytest.raises(ValueError, match="hf:// is not a source of base models"):
        resolve_base_model("hf://HuggingFaceTB/SmolLM2-1.7B", tmp_path / "cache")
