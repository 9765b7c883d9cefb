"""Hostile text costs linear time in the PII scan: the pre-filter, the patterns and the windowed scanner."""

import re

import pytest

from tuneline.data.pii.engine import PiiSpan
from tuneline.data.pii.patterns import EMAIL
from tuneline.data.pii.prefilter import needs_patterns, ner_chunks
from tuneline.data.pii.regex_scanner import RegexPiiScanner
from tuneline.data.pii.windows import WindowedScanner, windows

MB = 1024 * 1024


def test_prefilter_decides_a_megabyte_of_digit_free_text_in_one_pass():
    # The former pattern backtracked quadratically here (64k characters took about a minute; 1 MB, hours).
    text = ("the pump on line seven leaked again " * (MB // 36 + 1))[:MB]
    assert not needs_patterns(text)
    assert needs_patterns(text + " 1 2 3 4")
    assert needs_patterns(text[:100] + "@" + text[100:])
    assert not needs_patterns(text + " 1 2 3")


@pytest.mark.parametrize(
    "text",
    [
        "a" * MB,
        ("a." * MB)[:MB] + "@",
        "x@" + ("a." * MB)[:MB],
        ("a@" * MB)[:MB],
        ("+1 " * MB)[:MB],
        ("1-" * MB)[:MB],
        "." + " " * MB + "a",
        ("Aa' " * MB)[:MB],
    ],
    ids=["letters", "dots-then-at", "at-then-dots", "many-ats", "pluses", "dashed-digits", "spaces", "capitals"],
)
def test_regex_scan_of_a_megabyte_of_hostile_text_finishes(text):
    # No timing assertion: a super-linear pattern makes this test run for hours instead of a second.
    spans = WindowedScanner(RegexPiiScanner()).scan([text])[0]
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    ner_chunks(text)


def test_email_pattern_keeps_finding_ordinary_addresses():
    pattern = re.compile(EMAIL)
    for address in ("maria@example.com", "j.doe+tickets@mail.plant-7.example.co.uk"):
        match = pattern.search(f"write to {address}, thanks")
        assert match is not None and match.group(0) == address


def test_windows_cover_the_text_once_with_context_on_each_side():
    parts = windows(10_000, 4096, 256)
    kept = [(keep_from, keep_to) for _, _, keep_from, keep_to in parts]
    assert kept == [(0, 4096), (4096, 8192), (8192, 10_000)]
    assert [(lo, hi) for lo, hi, _, _ in parts] == [(0, 4352), (3840, 8448), (7936, 10_000)]
    assert windows(100, 4096, 256) == [(0, 100, 0, 100)]


def test_windowed_scan_finds_the_same_entities_as_a_whole_text_scan_across_window_edges():
    filler = "the conveyor belt was realigned by the crew "
    entities = ["maria@example.com", "415-555-0199", "4111 1111 1111 1111", "10.20.30.40"]
    text = ""
    for i in range(40):
        text += filler * (i % 5 + 3)
        text += entities[i % len(entities)] + " "
    whole = RegexPiiScanner().scan([text])[0]
    windowed = WindowedScanner(RegexPiiScanner(), window_chars=512, overlap_chars=64).scan([text])[0]
    assert len(text) > 8 * 512
    assert windowed == whole and len(whole) == 40


class _Recording:
    description = "records the lengths it was given"

    def __init__(self) -> None:
        self.lengths: list[int] = []

    def scan(self, texts):
        self.lengths.extend(len(t) for t in texts)
        return [[PiiSpan("X", 0, 1, 1.0)] for _ in texts]


def test_inner_scanner_never_sees_more_than_a_window_with_its_overlaps():
    inner = _Recording()
    result = WindowedScanner(inner, window_chars=1000, overlap_chars=100).scan(["y" * 50_000, "short"])
    assert max(inner.lengths) <= 1200 and sum(inner.lengths) < 50_000 * 1.3
    # Each window reports a span at its own first character; only the first window owns that position (the
    # others start in their left overlap, which belongs to the window before).
    assert result == [[PiiSpan("X", 0, 1, 1.0)], [PiiSpan("X", 0, 1, 1.0)]]
