"""Object storage on both backends: the local directory and real S3 (SeaweedFS with credentials enforced)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tuneline.common.infra import S3Server
from tuneline.common.storage import (
    LocalObjectStore,
    ObjectNotFound,
    ObjectStore,
    S3ObjectStore,
    download_prefix,
    download_to,
    upload_dir,
)

pytestmark = pytest.mark.integration

BIG_SIZE = 50 * 1024 * 1024
BIG_CHUNK = 1024 * 1024


def _s3(
    server: S3Server, bucket: str, prefix: str = "", secret: str | None = None, region: str | None = None
) -> S3ObjectStore:
    return S3ObjectStore(
        bucket,
        prefix,
        endpoint=server.endpoint,
        access_key=server.access_key,
        secret_key=secret or server.secret_key,
        secure=False,
        region=region,
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects")
    server: S3Server = request.getfixturevalue("s3_server")
    return _s3(server, f"tl-{secrets.token_hex(4)}", "env/test")


async def _fetch_url(url: str) -> tuple[int, bytes]:
    """GET a URL off the event loop; HTTP errors come back as their status."""

    def run() -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - file:// or the loopback test server
                return resp.status or 200, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, b""

    return await asyncio.to_thread(run)


async def _agen(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_put_get_exists_list_delete_round_trip(store: ObjectStore) -> None:
    body = b'{"text": "pump 3 vibration high", "label": "mechanical"}\n' * 1000
    info = await store.put("datasets/d1/v1/train.jsonl", body, content_type="application/jsonl")
    assert info.size == len(body)
    assert info.sha256 == hashlib.sha256(body).hexdigest()
    assert info.key == "datasets/d1/v1/train.jsonl"
    assert store.key_from_uri(info.uri) == info.key

    assert await store.read_bytes(info.key) == body
    chunks = [c async for c in store.get(info.key)]
    assert b"".join(chunks) == body
    assert await store.exists(info.key)
    assert not await store.exists("datasets/d1/v1/absent.jsonl")

    await store.put("datasets/d1/v1/test.jsonl", _agen([b"a", b"bc", b""]))
    await store.put("datasets/d2/v1/train.jsonl", [b"x" * 10, b"y" * 5])
    await store.put("jobs/j1/adapter/config.json", b"{}")
    listed = {i.key: i.size for i in await store.list("datasets/d1/")}
    assert {i.key for i in await store.list("datasets/d")} == {*listed, "datasets/d2/v1/train.jsonl"}
    assert listed == {"datasets/d1/v1/train.jsonl": len(body), "datasets/d1/v1/test.jsonl": 3}
    everything = {i.key for i in await store.list()}
    assert everything == {
        "datasets/d1/v1/train.jsonl",
        "datasets/d1/v1/test.jsonl",
        "datasets/d2/v1/train.jsonl",
        "jobs/j1/adapter/config.json",
    }
    assert await store.read_bytes("datasets/d2/v1/train.jsonl") == b"x" * 10 + b"y" * 5

    await store.delete("datasets/d1/v1/train.jsonl")
    assert not await store.exists("datasets/d1/v1/train.jsonl")
    await store.delete("datasets/d1/v1/train.jsonl")  # deleting twice is harmless
    assert {i.key for i in await store.list("datasets/d1/")} == {"datasets/d1/v1/test.jsonl"}


async def test_overwrite_replaces_the_whole_object(store: ObjectStore) -> None:
    await store.put("a/b.txt", b"first version, long")
    await store.put("a/b.txt", b"second")
    assert await store.read_bytes("a/b.txt") == b"second"


async def test_missing_object_raises_object_not_found(store: ObjectStore) -> None:
    await store.put("present/x", b"1")  # the bucket exists; only the key is missing
    with pytest.raises(ObjectNotFound, match="nothing/here"):
        await store.read_bytes("nothing/here")
    with pytest.raises(ObjectNotFound):
        async for _ in store.get("nothing/here"):
            pass


async def test_binary_file_source_and_directory_helpers(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "adapter"
    (src / "sub").mkdir(parents=True)
    (src / "adapter_config.json").write_bytes(b'{"r": 16}')
    (src / "sub" / "weights.bin").write_bytes(bytes(range(256)) * 100)
    infos = await upload_dir(store, src, "jobs/j9/adapter/")
    assert sorted(i.key for i in infos) == ["jobs/j9/adapter/adapter_config.json", "jobs/j9/adapter/sub/weights.bin"]

    out = await download_prefix(store, "jobs/j9/adapter", tmp_path / "restored")
    assert (out / "adapter_config.json").read_bytes() == b'{"r": 16}'
    assert (out / "sub" / "weights.bin").read_bytes() == bytes(range(256)) * 100
    single = await download_to(store, "jobs/j9/adapter/adapter_config.json", tmp_path / "one" / "c.json")
    assert single.read_bytes() == b'{"r": 16}'
    assert not list((tmp_path / "one").glob("*.part"))


async def test_local_presigned_url_is_the_file_uri(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    await store.put("r/report.html", b"<html/>")
    url = await store.presigned_get_url("r/report.html")
    assert url == (tmp_path / "objects" / "r" / "report.html").as_uri()
    assert (await _fetch_url(url))[1] == b"<html/>"
    with pytest.raises(ObjectNotFound):
        await store.presigned_get_url("r/absent.html")


async def test_s3_presigned_url_serves_the_bytes_and_expires(s3_server: S3Server) -> None:
    store = _s3(s3_server, f"tl-{secrets.token_hex(4)}")
    body = secrets.token_bytes(100_000)
    await store.put("reports/eval.html", body, content_type="text/html")
    url = await store.presigned_get_url("reports/eval.html", expires=timedelta(minutes=5))
    assert url.startswith(f"http://{s3_server.endpoint}/")
    assert await _fetch_url(url) == (200, body)

    tampered = url.replace("reports/eval.html", "reports/other.html")
    assert (await _fetch_url(tampered))[0] == 403, "a signature covers the key: another key is refused"

    plain = f"http://{s3_server.endpoint}/{store.bucket}/reports/eval.html"
    status, _ = await _fetch_url(plain)
    assert status in (401, 403), "an unsigned request is refused: the bucket is not public"


async def test_s3_wrong_secret_key_is_refused_by_the_server(s3_server: S3Server) -> None:
    from minio.error import S3Error

    bucket = f"tl-{secrets.token_hex(4)}"
    good = _s3(s3_server, bucket)
    await good.put("k/v", b"value")
    # With the region given, presigning needs no request, so the URL is made offline and judged by the server.
    intruder = _s3(s3_server, bucket, secret="not-the-secret-" + secrets.token_hex(8), region="us-east-1")
    with pytest.raises(S3Error) as info:
        await intruder.put("k/w", b"sneaky")
    assert info.value.code in ("SignatureDoesNotMatch", "AccessDenied", "InvalidAccessKeyId")
    with pytest.raises(Exception):  # noqa: B017 - the SDK's error type varies between read paths
        await intruder.read_bytes("k/v")
    url = await intruder.presigned_get_url("k/v")
    assert (await _fetch_url(url))[0] == 403
    assert not await good.exists("k/w")


async def test_s3_key_from_uri_and_prefix_isolation(s3_server: S3Server) -> None:
    bucket = f"tl-{secrets.token_hex(4)}"
    tenant_a, tenant_b = _s3(s3_server, bucket, "a"), _s3(s3_server, bucket, "b")
    info = await tenant_a.put("x/y.bin", b"A")
    await tenant_b.put("x/y.bin", b"B")
    assert info.uri == f"s3://{bucket}/a/x/y.bin"
    assert tenant_a.key_from_uri(info.uri) == "x/y.bin"
    assert await tenant_a.read_bytes("x/y.bin") == b"A"
    assert [i.key for i in await tenant_b.list()] == ["x/y.bin"]
    assert [i.uri for i in await tenant_b.list()] == [f"s3://{bucket}/b/x/y.bin"]


def _pattern(i: int) -> bytes:
    """Chunk i of the big object: distinct per chunk so a reordered or dropped chunk changes the hash."""
    return hashlib.sha256(i.to_bytes(8, "big")).digest() * (BIG_CHUNK // 32)


async def _big_source(sink: Callable[[bytes], Any]) -> AsyncIterator[bytes]:
    for i in range(BIG_SIZE // BIG_CHUNK):
        chunk = _pattern(i)
        sink(chunk)
        yield chunk


async def test_50mb_object_streams_in_and_out_without_holding_it_in_memory(store: ObjectStore) -> None:
    """Peak memory is measured with tracemalloc (Python allocations, all threads) over the whole put and get."""
    expected = hashlib.sha256()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        info = await store.put("big/blob.bin", _big_source(expected.update))
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        got = hashlib.sha256()
        size = 0
        async for chunk in store.get("big/blob.bin"):
            got.update(chunk)
            size += len(chunk)
        _, get_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.size == BIG_SIZE == size
    assert info.sha256 == expected.hexdigest() == got.hexdigest()
    put_growth_mb, get_growth_mb = (put_peak - base) / 2**20, (get_peak - base) / 2**20
    print(f"{type(store).__name__}: tracemalloc peak growth put {put_growth_mb:.1f} MB, get {get_growth_mb:.1f} MB")
    assert put_growth_mb < 25, f"put held {put_growth_mb:.1f} MB of a 50 MB object in memory"
    assert get_growth_mb < 10, f"get held {get_growth_mb:.1f} MB of a 50 MB object in memory"
