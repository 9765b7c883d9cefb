"""DOCX: paragraphs and table rows in document order, chunked; guarded against zip bombs.

The guard reads only the ZIP central directory (no decompression) and refuses archives whose declared
uncompressed size, per-entry compression ratio or entry count is beyond the limits. Declared sizes cannot
be used to lie past the guard: Python's zipfile stops decompressing an entry at its declared size.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO, Any

from tuneline.data.processing.errors import EmptyFileError, Location, MalformedFileError, ZipBombError
from tuneline.data.processing.parsers.base import ParsedItem, ParseOptions, RawRecord
from tuneline.data.processing.parsers.chunking import chunk_text
from tuneline.data.processing.streams import ensure_seekable


def check_zip_bomb(stream: IO[bytes], options: ParseOptions) -> None:
    """Raise :class:`ZipBombError` when the archive would expand beyond the configured limits."""
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise MalformedFileError(f"not a valid DOCX (ZIP) file: {exc}") from exc
    if len(infos) > options.max_zip_entries:
        raise ZipBombError(f"archive has {len(infos)} entries (limit {options.max_zip_entries})")
    total = sum(info.file_size for info in infos)
    if total > options.max_uncompressed_bytes:
        raise ZipBombError(f"archive expands to {total} bytes (limit {options.max_uncompressed_bytes})")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > options.max_compression_ratio:
            raise ZipBombError(
                f"entry '{info.filename}' has compression ratio {ratio:.0f}:1 "
                f"(limit {options.max_compression_ratio:.0f}:1)"
            )
    if not any(info.filename == "word/document.xml" for info in infos):
        raise MalformedFileError("ZIP archive is not a DOCX document (no word/document.xml)")


def _blocks(document: Any) -> Iterator[str]:
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                if any(cells):
                    yield " | ".join(cells)
        else:
            yield block.text


def parse_docx(stream: IO[bytes], options: ParseOptions, *, source_name: str) -> Iterator[ParsedItem]:
    import docx

    seekable = ensure_seekable(stream)
    check_zip_bomb(seekable, options)
    seekable.seek(0)
    try:
        document = docx.Document(seekable)
    except Exception as exc:
        raise MalformedFileError(f"DOCX could not be read ({type(exc).__name__})") from exc
    buffer: list[str] = []
    size = 0
    found = False
    block_number = 0
    start_block = 1
    for text in _blocks(document):
        block_number += 1
        if not text.strip():
            continue
        if not buffer:
            start_block = block_number
        buffer.append(text.strip())
        size += len(text)
        if size >= options.chunk_chars:
            for chunk in chunk_text("\n\n".join(buffer), options.chunk_chars):
                found = True
                yield RawRecord({"text": chunk, "source": source_name, "page": None}, Location(paragraph=start_block))
            buffer, size = [], 0
    if buffer:
        for chunk in chunk_text("\n\n".join(buffer), options.chunk_chars):
            found = True
            yield RawRecord({"text": chunk, "source": source_name, "page": None}, Location(paragraph=start_block))
    if not found:
        raise EmptyFileError("DOCX document has no text")
