import codecs
import io

import pytest

from tuneline.data.processing.encoding import open_text
from tuneline.data.processing.errors import BinaryContentError, EmptyFileError


def _lines(data: bytes) -> tuple[list[str], object]:
    source = open_text(io.BytesIO(data))
    return [line for _, line in source.lines()], source


def test_reads_plain_utf8_without_warnings():
    lines, source = _lines("héllo\nwörld\n".encode())
    assert lines == ["héllo\n", "wörld\n"]
    assert source.encoding == "utf-8" and source.warnings == []


def test_strips_utf8_bom():
    lines, source = _lines(codecs.BOM_UTF8 + b"a,b\n")
    assert source.encoding == "utf-8-sig"
    assert lines == ["a,b\n"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_decodes_utf16_with_or_without_bom(codec):
    lines, _ = _lines("text,label\ncafé,pos\n".encode(codec))
    assert lines == ["text,label\n", "café,pos\n"]


def test_falls_back_to_cp1252_with_a_warning():
    lines, source = _lines("caf\xe9 cr\xe8me\n".encode("cp1252"))
    assert lines == ["café crème\n"]
    assert source.encoding == "cp1252"
    assert source.warnings[0].code == "encoding_fallback"


def test_mixed_encodings_decode_the_foreign_line_and_name_it():
    data = "line one café\n".encode() + "line two caf\xe9\n".encode("cp1252") + b"line three\n"
    lines, source = _lines(data)
    assert lines == ["line one café\n", "line two café\n", "line three\n"]
    assert source.encoding == "utf-8"
    assert [w.location.line for w in source.warnings] == [2]
    assert "line 2" in source.warnings[0].describe()


def test_rejects_empty_file():
    with pytest.raises(EmptyFileError, match="empty"):
        open_text(io.BytesIO(b""))


def test_rejects_whitespace_only_file():
    with pytest.raises(EmptyFileError, match="whitespace"):
        open_text(io.BytesIO(b"  \n\t\r\n"))


def test_rejects_binary_garbage():
    garbage = bytes(range(256)) * 20
    with pytest.raises(BinaryContentError, match=r"NUL|binary"):
        open_text(io.BytesIO(garbage))


def test_rejects_control_character_noise_without_nul():
    with pytest.raises(BinaryContentError, match="control bytes"):
        open_text(io.BytesIO(b"\x01\x02\x03\x04abc\x05\x06\x07" * 100))


def test_rejects_known_binary_formats_by_magic_number():
    with pytest.raises(BinaryContentError, match="PDF"):
        open_text(io.BytesIO(b"%PDF-1.7\n..."))
