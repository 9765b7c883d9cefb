"""Spreadsheet formula injection (CSV injection) detection and neutralisation.

A cell that a spreadsheet would evaluate (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(A1:A9)``)
is dangerous when the dataset is later opened or exported to a spreadsheet. Plain values that merely
start with one of the trigger characters (``-5``, ``+1 555 0100``, ``@alice``, ``- a bullet``) are left
alone. Neutralising follows OWASP: prefix the cell with a single quote so it is read as text.
"""

from __future__ import annotations

import re

_AFTER_EQUALS = re.compile(r"^=[\sA-Za-z0-9(\"'$+\-@!._]")
_FUNCTION_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\(")
_CELL_REF = re.compile(r"^\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?$")


def is_formula_like(cell: str) -> bool:
    text = cell.lstrip("\t\r ")
    if not text or text[0] not in "=+-@":
        return False
    if text[0] == "=":
        return _AFTER_EQUALS.match(text) is not None and text[1:].strip() != ""
    body = text[1:].strip()
    if _FUNCTION_CALL.search(body):
        return True
    if "|" in body and "!" in body:  # DDE payload: cmd|' /C calc'!A0
        return True
    return _CELL_REF.match(body) is not None


def neutralize(cell: str) -> str:
    return "'" + cell
