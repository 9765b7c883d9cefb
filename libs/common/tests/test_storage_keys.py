"""Object keys may never escape the store; URIs map back to keys only for the store that made them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuneline.common.settings import ServiceSettings
from tuneline.common.storage import (
    LocalObjectStore,
    S3ObjectStore,
    StorageError,
    check_key,
    open_store,
    store_from_url,
)

BAD_KEYS = [
    "",
    "/etc/passwd",
    "../outside",
    "datasets/../../outside",
    "datasets/./train.jsonl",
    "datasets//train.jsonl",
    "datasets/",
    "..",
    "a\\..\\b",
    "a\x00b",
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_invalid_keys_are_refused(key: str) -> None:
    with pytest.raises(StorageError, match="invalid object key"):
        check_key(key)


@pytest.mark.parametrize("key", ["a", "datasets/1/versions/2/train.jsonl", "jobs/x/adapter/adapter_model.safetensors"])
def test_relative_keys_are_accepted(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_local_store_refuses_bad_keys_before_touching_disk(tmp_path: Path, key: str) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    with pytest.raises(StorageError):
        await store.put(key, b"x")
    with pytest.raises(StorageError):
        await store.exists(key)
    assert not (tmp_path / "outside").exists()
    assert list((tmp_path / "objects").iterdir()) == []


async def test_local_store_refuses_a_symlink_that_leaves_the_root(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    store = LocalObjectStore(tmp_path / "objects")
    (tmp_path / "objects" / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(StorageError, match="escapes the store"):
        await store.put("link/file.txt", b"x")
    assert not (tmp_path / "elsewhere" / "file.txt").exists()


def test_s3_store_refuses_bad_keys() -> None:
    store = S3ObjectStore("bucket", "pre", endpoint="127.0.0.1:1", access_key="a", secret_key="b", secure=False)
    for key in BAD_KEYS:
        with pytest.raises(StorageError):
            store.uri(key)


def test_local_key_from_uri_only_accepts_its_own_objects(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    uri = store.uri("datasets/d1/train.jsonl")
    assert uri == (tmp_path / "objects" / "datasets" / "d1" / "train.jsonl").as_uri()
    assert store.key_from_uri(uri) == "datasets/d1/train.jsonl"
    for foreign in ((tmp_path / "other" / "x").as_uri(), "s3://objects/datasets/d1/train.jsonl", store.base_uri):
        with pytest.raises(StorageError):
            store.key_from_uri(foreign)


async def test_local_key_from_uri_round_trips_keys_with_spaces_and_accents(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    info = await store.put("reports/Qualität report 1.txt", b"x")
    assert "%20" in info.uri
    assert store.key_from_uri(info.uri) == "reports/Qualität report 1.txt"
    assert await store.read_bytes(store.key_from_uri(info.uri)) == b"x"


def test_s3_key_from_uri_checks_bucket_and_prefix() -> None:
    store = S3ObjectStore("models", "tl/prod", endpoint="127.0.0.1:1", access_key="a", secret_key="b", secure=False)
    assert store.base_uri == "s3://models/tl/prod"
    uri = store.uri("jobs/j1/adapter/config.json")
    assert uri == "s3://models/tl/prod/jobs/j1/adapter/config.json"
    assert store.key_from_uri(uri) == "jobs/j1/adapter/config.json"
    for foreign in (
        "s3://other/tl/prod/jobs/x",
        "s3://models/tl/prodx/jobs/x",
        "s3://models/jobs/x",
        "file:///tl/prod/jobs/x",
        "s3://models/tl/prod/../secrets",
    ):
        with pytest.raises(StorageError):
            store.key_from_uri(foreign)


def test_store_is_chosen_by_url_scheme(tmp_path: Path) -> None:
    local = open_store(ServiceSettings(object_store_url=(tmp_path / "o").as_uri()))
    assert isinstance(local, LocalObjectStore)
    s3 = open_store(
        ServiceSettings(object_store_url="s3://b/p", s3_endpoint="127.0.0.1:1", s3_access_key="a", s3_secret_key="s")
    )
    assert isinstance(s3, S3ObjectStore)
    with pytest.raises(StorageError, match="TUNELINE_S3_ENDPOINT"):
        store_from_url("s3://b")
    with pytest.raises(StorageError, match="TUNELINE_OBJECT_STORE_URL"):
        store_from_url("ftp://host/dir")


def test_answers_name_a_local_object_by_its_key_and_show_s3_uris_as_they_are(tmp_path: Path) -> None:
    from tuneline.common.storage import answering_store, public_uri

    store = LocalObjectStore(tmp_path / "objects")
    uri = store.uri("jobs/j1/adapter")
    assert public_uri(uri, store) == "store:jobs/j1/adapter"
    assert public_uri("s3://bucket/prefix/jobs/j1/adapter", store) == "s3://bucket/prefix/jobs/j1/adapter"
    assert public_uri(None, store) is None
    # a file outside the store, or no store known: the path is replaced, never shown
    outside = (tmp_path / "elsewhere" / "adapter").as_uri()
    assert str(tmp_path) not in (public_uri(outside, store) or "")
    assert str(tmp_path) not in (public_uri(uri) or "")
    token = answering_store.set(store)
    try:
        assert public_uri(uri) == "store:jobs/j1/adapter"
    finally:
        answering_store.reset(token)
