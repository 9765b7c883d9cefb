import re

import pytest

from tuneline.data.pii.patterns import _INTERNATIONAL, _NANP, _NATIONAL
from tuneline.data.pii.prefilter import needs_ner, needs_patterns

PHONE = re.compile("|".join(f"(?:{p})" for p in (_NANP, _INTERNATIONAL, _NATIONAL)))


@pytest.mark.parametrize(
    "number",
    [
        "(555) 123-4567",
        "555-123-4567",
        "555.123.4567",
        "+1 555 123 4567",
        "5551234567",
        "+44 20 7946 0958",
        "+49 30 901820",
        "020 7946 0958",
    ],
)
def test_phone_patterns_match_common_formats(number):
    match = PHONE.search(f"call {number} today")
    assert match is not None and match.group(0) == number


@pytest.mark.parametrize("text", ["order 2024-01-15", "version 1.2.3", "price 12.50", "192.168.1.10", "123-45-6789"])
def test_phone_patterns_skip_dates_versions_ips_and_ssns(text):
    assert PHONE.search(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to a@b.co", True),
        ("call 555 1234", True),
        ("ip 1.2.3.4", True),
        ("line 3 failed twice", False),
        ("no digits here", False),
    ],
)
def test_pattern_prefilter_needs_at_sign_or_four_digits(text, expected):
    assert needs_patterns(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The pump failed. Please check it.", False),
        ("the seal was replaced by john", False),
        ("Ask Maria about it.", True),
        ("John called twice.", True),
        ("We flew to Boston.", True),
        ("Replaced the seal. Checked the housing.", False),
    ],
)
def test_ner_prefilter_looks_for_uncommon_capitalised_words(text, expected):
    assert needs_ner(text) is expected


def test_ner_chunks_cover_a_few_words_around_each_candidate():
    from tuneline.data.pii.prefilter import ner_chunks

    text = "The pump failed on the night shift again. Please ask Maria Lopez about the seal kit she ordered last week."
    chunks = [text[s:e] for s, e in ner_chunks(text)]
    # Maria is word 10: words 6..15; Lopez is word 11: words 7..16; merged: words 6..16.
    assert chunks == ["shift again. Please ask Maria Lopez about the seal kit she"]


def test_ner_chunks_are_empty_without_candidates():
    from tuneline.data.pii.prefilter import ner_chunks

    assert ner_chunks("The pump failed. Please check it. It was replaced.") == []
