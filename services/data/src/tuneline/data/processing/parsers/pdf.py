"""PDF: text per page (pypdf), chunked, each chunk remembering its page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from tuneline.data.processing.errors import EmptyFileError, Location, MalformedFileError, RecordIssue
from tuneline.data.processing.parsers.base import ParsedItem, ParseOptions, RawRecord
from tuneline.data.processing.parsers.chunking import chunk_text
from tuneline.data.processing.streams import ensure_seekable, peek_head


def parse_pdf(stream: IO[bytes], options: ParseOptions, *, source_name: str) -> Iterator[ParsedItem]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    head, stream = peek_head(stream, 1024)
    if not head:
        raise EmptyFileError("file is empty")
    if b"%PDF-" not in head:
        raise MalformedFileError("not a PDF document (no %PDF- header)")
    seekable = ensure_seekable(stream)
    try:
        reader = PdfReader(seekable, strict=False)
        if reader.is_encrypted:
            raise MalformedFileError("PDF is encrypted; upload an unencrypted copy")
        pages = reader.pages
        page_count = len(pages)
    except PdfReadError as exc:
        raise MalformedFileError(f"PDF could not be read: {exc}") from exc
    found_text = False
    for index in range(page_count):
        location = Location(page=index + 1)
        try:
            text = pages[index].extract_text() or ""
        except Exception as exc:
            yield RecordIssue(location, "unreadable_page", f"page text could not be extracted ({type(exc).__name__})")
            continue
        for chunk in chunk_text(text, options.chunk_chars):
            found_text = True
            yield RawRecord({"text": chunk, "source": source_name, "page": index + 1}, location)
    if not found_text:
        raise EmptyFileError("PDF has no extractable text (scanned images need OCR first)")
