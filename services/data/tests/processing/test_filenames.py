import pytest

from tuneline.data.processing.errors import UnsafeFileNameError
from tuneline.data.processing.filenames import file_extension, sanitize_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\data.csv", "data.csv"),
        ("/abs/path/train.jsonl", "train.jsonl"),
        ("na\x00me.csv", "name.csv"),
        (".hidden.txt", "hidden.txt"),
        ("my data (v2).csv", "my data (v2).csv"),
        ("rm -rf $(x);.csv", "rm -rf _(x)_.csv"),
        ("CON.txt", "_CON.txt"),
        ("ｆｕｌｌｗｉｄｔｈ.csv", "fullwidth.csv"),
    ],
)
def test_sanitises_traversal_and_odd_names(raw, expected):
    assert sanitize_filename(raw) == expected


@pytest.mark.parametrize("raw", ["", "..", "../..", "///", "\x00\x01"])
def test_rejects_names_with_nothing_usable(raw):
    with pytest.raises(UnsafeFileNameError, match="no usable characters"):
        sanitize_filename(raw)


def test_truncates_very_long_names_keeping_the_extension():
    name = sanitize_filename("a" * 500 + ".jsonl")
    assert len(name) <= 200 and name.endswith(".jsonl")


def test_extension_is_lower_case_without_dot():
    assert file_extension("Data.CSV") == "csv"
    assert file_extension("README") == ""
