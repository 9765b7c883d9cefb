"""Object storage behind one small protocol, chosen by URI scheme.

``file:///dir`` is a local directory (the embedded default); ``s3://bucket[/prefix]`` is S3 or MinIO through the
``minio`` SDK. Writes are streamed through a spooled temporary file (a bounded amount in memory, the rest on disk)
while their SHA-256 is computed, then stored in one step, so a reader never sees a half-written object. Reads are
streamed in chunks. Keys are relative, '/'-separated and may not escape the store ('..', absolute paths).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Annotated, BinaryIO, Protocol, cast
from urllib.parse import unquote, urlparse

from pydantic import PlainSerializer

from tuneline.common.redact import redact_paths
from tuneline.common.settings import ObjectStoreSettings

CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
S3_PART_SIZE = 8 * 1024 * 1024  # S3's minimum multipart part is 5 MiB

Source = bytes | AsyncIterable[bytes] | Iterable[bytes] | IO[bytes]


class StorageError(Exception):
    """A storage operation failed; the message says which key and why."""


class ObjectNotFound(StorageError):
    pass


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    uri: str
    size: int
    sha256: str | None = None


def check_key(key: str) -> str:
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise StorageError(f"invalid object key {key!r}: must be a relative '/'-separated path")
    parts = key.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise StorageError(f"invalid object key {key!r}: empty, '.' or '..' segments are not allowed")
    return key


class ObjectStore(Protocol):
    base_uri: str

    def uri(self, key: str) -> str: ...
    def key_from_uri(self, uri: str) -> str: ...
    async def put(self, key: str, data: Source, *, content_type: str = "application/octet-stream") -> ObjectInfo: ...
    def get(self, key: str) -> AsyncIterator[bytes]: ...
    async def read_bytes(self, key: str) -> bytes: ...
    async def exists(self, key: str) -> bool: ...
    async def delete(self, key: str) -> None: ...
    async def list(self, prefix: str = "") -> list[ObjectInfo]: ...
    async def presigned_get_url(self, key: str, expires: timedelta = timedelta(hours=1)) -> str: ...


async def _spool(data: Source) -> tuple[IO[bytes], int, str]:
    """Copy `data` into a spooled temp file; returns it rewound with its size and sha256."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - returned to caller
    digest = hashlib.sha256()
    size = 0

    def take(chunk: bytes) -> None:
        nonlocal size
        digest.update(chunk)
        spool.write(chunk)
        size += len(chunk)

    try:
        if isinstance(data, bytes | bytearray | memoryview):
            take(bytes(data))
        elif isinstance(data, AsyncIterable):
            async for chunk in data:
                take(chunk)
        elif hasattr(data, "read"):
            while chunk := await asyncio.to_thread(data.read, CHUNK):
                take(chunk)
        else:
            for chunk in data:
                take(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size, digest.hexdigest()


class LocalObjectStore:
    """A directory on local disk. Presigned URLs are plain file:// URIs: a local directory has no access control."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.base_uri = self.root.as_uri()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError(f"invalid object key {key!r}: escapes the store")
        return path

    def uri(self, key: str) -> str:
        return self._path(key).as_uri()

    def key_from_uri(self, uri: str) -> str:
        parsed = urlparse(uri)
        path = Path(unquote(parsed.path)).resolve()  # as_uri() percent-encodes spaces and non-ASCII
        if parsed.scheme != "file" or not path.is_relative_to(self.root):
            raise StorageError(f"{uri} is not an object of the store at {self.base_uri}")
        return check_key(path.relative_to(self.root).as_posix())

    async def put(self, key: str, data: Source, *, content_type: str = "application/octet-stream") -> ObjectInfo:
        target = self._path(key)
        spool, size, sha = await _spool(data)
        try:
            await asyncio.to_thread(self._write_atomically, target, spool)
        finally:
            spool.close()
        return ObjectInfo(key=key, uri=target.as_uri(), size=size, sha256=sha)

    @staticmethod
    def _write_atomically(target: Path, spool: IO[bytes]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(spool, out, CHUNK)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(f"no object {key!r} in {self.base_uri}")
        fh = await asyncio.to_thread(path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(fh.read, CHUNK):
                yield chunk
        finally:
            fh.close()

    async def read_bytes(self, key: str) -> bytes:
        return b"".join([c async for c in self.get(key)])

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        base = self.root
        out = []
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(base).as_posix()
                if key.startswith(prefix):
                    out.append(ObjectInfo(key=key, uri=path.as_uri(), size=path.stat().st_size))
        return out

    async def presigned_get_url(self, key: str, expires: timedelta = timedelta(hours=1)) -> str:
        if not await self.exists(key):
            raise ObjectNotFound(f"no object {key!r} in {self.base_uri}")
        return self.uri(key)


class S3ObjectStore:
    """S3 or MinIO through the minio SDK (its calls are blocking: they run in worker threads)."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        endpoint: str,
        access_key: str | None,
        secret_key: str | None,
        secure: bool = True,
        region: str | None = None,
    ) -> None:
        from minio import Minio

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.base_uri = f"s3://{bucket}" + (f"/{self.prefix}" if self.prefix else "")
        self._client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self._bucket_checked = False

    def in_bucket(self, bucket: str) -> S3ObjectStore:
        """The whole of another bucket on the same endpoint, with the same credentials and client."""
        other = copy.copy(self)
        other.bucket, other.prefix, other.base_uri, other._bucket_checked = bucket, "", f"s3://{bucket}", False
        return other

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._name(key)}"

    def key_from_uri(self, uri: str) -> str:
        parsed = urlparse(uri)
        name = parsed.path.lstrip("/")
        if parsed.scheme != "s3" or parsed.netloc != self.bucket:
            raise StorageError(f"{uri} is not an object of the store at {self.base_uri}")
        if self.prefix:
            if not name.startswith(self.prefix + "/"):
                raise StorageError(f"{uri} is not an object of the store at {self.base_uri}")
            name = name[len(self.prefix) + 1 :]
        return check_key(name)

    async def _ensure_bucket(self) -> None:
        if self._bucket_checked:
            return
        exists = await asyncio.to_thread(self._client.bucket_exists, self.bucket)
        if not exists:
            from minio.error import S3Error

            try:
                await asyncio.to_thread(self._client.make_bucket, self.bucket)
            except S3Error as exc:
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        self._bucket_checked = True

    async def put(self, key: str, data: Source, *, content_type: str = "application/octet-stream") -> ObjectInfo:
        name = self._name(key)
        await self._ensure_bucket()
        spool, size, sha = await _spool(data)
        try:
            await asyncio.to_thread(
                self._client.put_object,
                self.bucket,
                name,
                cast("BinaryIO", spool),
                size,
                content_type=content_type,
                metadata={"sha256": sha},
                # minio queues parts for its parallel uploaders without bound: the whole object would sit in
                # memory. One part at a time keeps a put at about S3_PART_SIZE whatever the object's size.
                part_size=S3_PART_SIZE,
                num_parallel_uploads=1,
            )
        finally:
            spool.close()
        return ObjectInfo(key=key, uri=self.uri(key), size=size, sha256=sha)

    async def get(self, key: str) -> AsyncIterator[bytes]:
        from minio.error import S3Error

        name = self._name(key)
        try:
            response = await asyncio.to_thread(self._client.get_object, self.bucket, name)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket"):
                raise ObjectNotFound(f"no object {key!r} in {self.base_uri}") from exc
            raise StorageError(f"reading {key!r} from {self.base_uri}: {exc.code}") from exc
        try:
            while chunk := await asyncio.to_thread(response.read, CHUNK):
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def read_bytes(self, key: str) -> bytes:
        return b"".join([c async for c in self.get(key)])

    async def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            await asyncio.to_thread(self._client.stat_object, self.bucket, self._name(key))
            return True
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket", "NoSuchObject"):
                return False
            raise

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.remove_object, self.bucket, self._name(key))

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        # A prefix may end in '/' (download_prefix passes "dir/"), which is not a valid key on its own.
        if prefix.rstrip("/"):
            check_key(prefix.rstrip("/"))
        full = (self.prefix + "/" if self.prefix else "") + prefix

        def run() -> list[ObjectInfo]:
            out = []
            for obj in self._client.list_objects(self.bucket, prefix=full, recursive=True):
                name = obj.object_name or ""
                key = name[len(self.prefix) + 1 :] if self.prefix else name
                out.append(ObjectInfo(key=key, uri=f"s3://{self.bucket}/{name}", size=obj.size or 0))
            return out

        return await asyncio.to_thread(run)

    async def presigned_get_url(self, key: str, expires: timedelta = timedelta(hours=1)) -> str:
        return await asyncio.to_thread(self._client.presigned_get_object, self.bucket, self._name(key), expires)


def open_store(settings: ObjectStoreSettings) -> ObjectStore:
    """The store named by TUNELINE_OBJECT_STORE_URL."""
    return store_from_url(
        settings.object_store_url,
        endpoint=settings.s3_endpoint,
        access_key=settings.s3_access_key.get_secret_value() if settings.s3_access_key else None,
        secret_key=settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else None,
        secure=settings.s3_secure,
        region=settings.s3_region,
    )


def store_from_url(
    url: str,
    *,
    endpoint: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    secure: bool = True,
    region: str | None = None,
) -> ObjectStore:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        # file://./relative and file:///absolute are both accepted
        path = (parsed.netloc + parsed.path) if parsed.netloc in (".", "..") else parsed.path
        return LocalObjectStore(path)
    if parsed.scheme == "s3":
        if not endpoint:
            raise StorageError("TUNELINE_S3_ENDPOINT must be set for an s3:// object store")
        return S3ObjectStore(
            parsed.netloc,
            parsed.path,
            endpoint=endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
        )
    raise StorageError(f"TUNELINE_OBJECT_STORE_URL: unsupported scheme {parsed.scheme!r} (use file:// or s3://)")


def store_at(uri: str, settings: ObjectStoreSettings) -> tuple[ObjectStore, str]:
    """A store holding `uri` and its key there, for tools that write to a URI of their choosing (a base model's
    upload): ``s3://bucket/key`` through the settings' S3 endpoint and credentials, ``file:///dir/name`` in its
    parent directory."""
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        store = store_from_url(
            f"s3://{parsed.netloc}",
            endpoint=settings.s3_endpoint,
            access_key=settings.s3_access_key.get_secret_value() if settings.s3_access_key else None,
            secret_key=settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else None,
            secure=settings.s3_secure,
            region=settings.s3_region,
        )
        return store, check_key(parsed.path.strip("/"))
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
        return LocalObjectStore(path.parent), check_key(path.name)
    raise StorageError(f"{uri}: expected an s3:// or file:// URI")


def locate(store: ObjectStore, uri: str) -> tuple[ObjectStore, str]:
    """The store that holds `uri` and its key there: `store` itself, or, for an ``s3://`` URI outside it (another
    bucket, or outside its prefix), that bucket on the same endpoint with the same credentials: a base model
    uploaded once to ``s3://models/…`` is read by every deployment that can read that bucket."""
    try:
        return store, store.key_from_uri(uri)
    except StorageError:
        parsed = urlparse(uri)
        if parsed.scheme != "s3" or not isinstance(store, S3ObjectStore) or not parsed.netloc:
            raise
    other = store.in_bucket(parsed.netloc)
    return other, other.key_from_uri(uri)


async def download_to(store: ObjectStore, key: str, path: Path) -> Path:
    """Stream an object to a local file (workers use this for datasets and adapters)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as out:
        async for chunk in store.get(key):
            await asyncio.to_thread(out.write, chunk)
    tmp.replace(path)
    return path


async def upload_dir(store: ObjectStore, directory: Path, prefix: str) -> list[ObjectInfo]:
    """Upload every file below `directory` under `prefix` (checkpoints, adapters)."""
    infos = []
    for path in sorted(directory.rglob("*")):  # noqa: ASYNC240 - a local directory listing, small
        if path.is_file():
            with path.open("rb") as fh:
                infos.append(await store.put(f"{prefix.rstrip('/')}/{path.relative_to(directory).as_posix()}", fh))
    return infos


async def download_prefix(store: ObjectStore, prefix: str, directory: Path) -> Path:
    """Download every object under `prefix` into `directory`, keeping relative paths."""
    prefix = prefix.rstrip("/") + "/"
    for info in await store.list(prefix):
        await download_to(store, info.key, directory / info.key[len(prefix) :])
    return directory


# ------------------------------------------------------------------------------------------- URIs in answers

#: The store of the service answering the current request (set per request by the app factory).
answering_store: ContextVar[ObjectStore | None] = ContextVar("answering_store", default=None)


def public_uri(uri: str | None, store: ObjectStore | None = None) -> str | None:
    """How an API answer names a stored artifact.

    An ``s3://`` URI is shown as it is (it names the bucket and key a client with access would read). An object of a
    local store is named by its key, ``store:jobs/<id>/adapter``: the directory is a path on the server's disk,
    which no answer shows. Any other ``file://`` URI has its path replaced (``<path>``).
    """
    if uri is None or not uri.startswith("file:"):
        return uri
    store = store if store is not None else answering_store.get()
    if store is not None:
        try:
            return f"store:{store.key_from_uri(uri)}"
        except StorageError:
            pass
    return redact_paths(uri)


def _public(uri: str) -> str:
    return public_uri(uri) or uri


#: A response field holding an artifact's URI: serialized with `public_uri` (stored and passed between services as
#: the full URI).
PublicUri = Annotated[str, PlainSerializer(_public, return_type=str)]
