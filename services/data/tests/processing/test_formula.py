import pytest

from tuneline.data.processing.formula import is_formula_like, neutralize


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
        "-SUM(A1)",
        "+A1",
        "\t=cmd()",
    ],
)
def test_flags_formula_like_cells(cell):
    assert is_formula_like(cell)


@pytest.mark.parametrize("cell", ["-5", "+1 555 0100", "@alice thanks", "- a bullet point", "plain", "", "=", "3-4"])
def test_leaves_ordinary_values_alone(cell):
    assert not is_formula_like(cell)


def test_neutralises_with_a_leading_quote():
    assert neutralize("=1+1") == "'=1+1"
