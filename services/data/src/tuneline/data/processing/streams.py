"""Binary stream helpers: a byte limit that fails early, and a way to peek at the head of a stream.

Uploads arrive as non-seekable streams (HTTP bodies, S3 responses), so sniffing the first bytes must not
consume them: :func:`peek_head` reads a sample and hands back a stream that replays it.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from typing import IO, BinaryIO

from tuneline.data.processing.errors import FileTooLargeError

DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024**3


class _LimitedRaw(io.RawIOBase):
    """Counts bytes as they are read and raises once more than `limit` bytes came through."""

    def __init__(self, inner: IO[bytes], limit: int) -> None:
        self._inner = inner
        self._limit = limit
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        # Read one byte past the limit so an exactly-at-limit file is accepted and a larger one is not.
        want = min(len(buffer), self._limit + 1 - self.bytes_read)
        if want <= 0:
            raise FileTooLargeError(f"file exceeds the size limit of {self._limit} bytes")
        data = self._inner.read(want)
        if not data:
            return 0
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        if self.bytes_read > self._limit:
            raise FileTooLargeError(f"file exceeds the size limit of {self._limit} bytes")
        return n


def limit_stream(stream: IO[bytes], limit: int) -> BinaryIO:
    """Wrap `stream` so reading past `limit` bytes raises :class:`FileTooLargeError`."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    return io.BufferedReader(_LimitedRaw(stream, limit), buffer_size=64 * 1024)


class _PrefixedRaw(io.RawIOBase):
    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._pos = 0
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._pos < len(self._head):
            chunk = self._head[self._pos : self._pos + len(buffer)]
            self._pos += len(chunk)
            buffer[: len(chunk)] = chunk
            return len(chunk)
        data = self._rest.read(len(buffer))
        if not data:
            return 0
        buffer[: len(data)] = data
        return len(data)


def peek_head(stream: IO[bytes], size: int = 64 * 1024) -> tuple[bytes, BinaryIO]:
    """Return up to `size` leading bytes and a stream that still yields the whole content."""
    chunks: list[bytes] = []
    got = 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    head = b"".join(chunks)
    return head, io.BufferedReader(_PrefixedRaw(head, stream), buffer_size=64 * 1024)


def ensure_seekable(stream: IO[bytes], *, spool_in_memory: int = 8 * 1024 * 1024) -> IO[bytes]:
    """PDF and ZIP readers need random access: spool a non-seekable stream to a temporary file."""
    if stream.seekable():
        return stream
    spool = tempfile.SpooledTemporaryFile(max_size=spool_in_memory)  # noqa: SIM115 - caller owns it
    shutil.copyfileobj(stream, spool, 1024 * 1024)
    spool.seek(0)
    return spool
