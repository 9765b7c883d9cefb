import io
import zipfile

import pytest

from tuneline.data.processing.errors import EmptyFileError, MalformedFileError, ZipBombError
from tuneline.data.processing.parsers.base import ParseOptions, RawRecord
from tuneline.data.processing.parsers.dispatch import parse_upload


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF with one text line per page (Helvetica), written by hand."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(len(pages)).encode() + b" >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, text in enumerate(pages):
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents " + str(page_ids[i] + 1).encode() + b" 0 R >>"
        )
        objects.append(b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _records(data: bytes, name: str, options: ParseOptions | None = None) -> list[RawRecord]:
    return [i for i in parse_upload(io.BytesIO(data), name, options).items if isinstance(i, RawRecord)]


def test_pdf_text_is_read_per_page_with_page_numbers():
    records = _records(make_pdf(["Pump failure on line one", "Seal replaced on line two"]), "manual.pdf")
    assert [(r.fields["text"], r.fields["page"], r.fields["source"]) for r in records] == [
        ("Pump failure on line one", 1, "manual.pdf"),
        ("Seal replaced on line two", 2, "manual.pdf"),
    ]


def test_pdf_without_text_is_rejected():
    with pytest.raises(EmptyFileError, match="no extractable text"):
        _records(make_pdf([""]), "scan.pdf")


def test_non_pdf_bytes_named_pdf_are_rejected():
    with pytest.raises(MalformedFileError, match="not a PDF"):
        _records(b"hello, I am text", "fake.pdf")


def test_docx_paragraphs_and_tables_are_read_in_order():
    data = make_docx(["Intro paragraph.", "Second paragraph."], table=[["part", "status"], ["pump", "ok"]])
    records = _records(data, "report.docx", ParseOptions(chunk_chars=40))
    texts = [r.fields["text"] for r in records]
    assert "Intro paragraph." in texts[0]
    assert texts[-1].endswith("pump | ok")
    assert all(r.fields["source"] == "report.docx" for r in records)


def _zip_bomb(entry_bytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * entry_bytes)
    return buffer.getvalue()


def test_docx_zip_bomb_is_refused_by_compression_ratio_before_opening():
    bomb = _zip_bomb(20 * 1024 * 1024)
    assert len(bomb) < 100_000  # 20 MB of zeros compress to a few KB
    with pytest.raises(ZipBombError, match="compression ratio"):
        _records(bomb, "bomb.docx")


def test_docx_zip_bomb_is_refused_by_total_uncompressed_size():
    with pytest.raises(ZipBombError, match="expands to"):
        _records(_zip_bomb(2 * 1024 * 1024), "big.docx", ParseOptions(max_uncompressed_bytes=1024 * 1024))


def test_docx_that_is_not_a_zip_is_rejected():
    with pytest.raises(MalformedFileError, match="not a valid DOCX"):
        _records(b"plain text pretending", "fake.docx")


def test_zip_without_word_document_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(MalformedFileError, match="not a DOCX"):
        _records(buffer.getvalue(), "x.docx")
