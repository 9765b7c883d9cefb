import pytest

from tuneline.evaluation.metrics.text import UNPARSED_LABEL, exact_match, normalise, parse_label

LABELS = ["leak", "electrical", "hydraulic leak"]


def test_normalise_ignores_case_punctuation_and_spacing():
    assert normalise("  Hydraulic   LEAK!! ") == "hydraulic leak"


def test_exact_match_compares_normalised_text():
    assert exact_match(["Paris.", "rome", "Berlin"], ["paris", "Rome", "Madrid"]) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("generated", "expected"),
    [
        ("Electrical", "electrical"),
        ("hydraulic leak.\nBecause oil is dripping", "hydraulic leak"),
        ("Leak - the seal failed", "leak"),
        ("The category is electrical.", "electrical"),
        ("I am not sure", UNPARSED_LABEL),
        ("", UNPARSED_LABEL),
    ],
)
def test_parse_label_maps_chatty_output_to_a_known_label(generated, expected):
    assert parse_label(generated, LABELS) == expected


def test_parse_label_prefers_longest_label_at_start():
    assert parse_label("hydraulic leak", LABELS) == "hydraulic leak"
