"""Phone numbers by pattern, replacing presidio's PhoneRecognizer and NhsRecognizer.

presidio's PhoneRecognizer runs libphonenumber's matcher over every text and is about 70% of the
pattern-only time; NhsRecognizer tags US phone numbers as UK_NHS with score 1.0. These patterns cover
North-American numbers (with or without +1, brackets, dots, dashes or spaces), international numbers
written with a leading + and a country code, and European national numbers with a trunk 0; the digit
count is validated. Numbers without separators and without + are matched only in the 10-digit NANP shape.
"""

from __future__ import annotations

from typing import Any

# Local part at most 64 characters and at most 8 bounded domain labels (RFC 5321 sizes): every attempt is
# bounded, so the scan stays linear. presidio's own EmailRecognizer pattern takes 2 s on 4,000 characters of
# "a.a.a…@" and about two minutes on 16,000 (it backtracks polynomially), so it is replaced here.
EMAIL = r"(?<![\w.+-])[\w.+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b"
_NANP = r"(?<![\w+@.])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w@]|-\d)"
_INTERNATIONAL = r"(?<![\w+@])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?![\w@]|-\d)"
_NATIONAL = r"(?<![\w+@.])\(?0\d{1,4}\)?[\s.-]\d{3,4}[\s.-]?\d{3,4}(?![\w@]|-\d)"


def email_recognizer() -> Any:
    from presidio_analyzer import Pattern, PatternRecognizer

    return PatternRecognizer(
        supported_entity="EMAIL_ADDRESS",
        name="EmailPatternRecognizer",
        patterns=[Pattern("email", EMAIL, 1.0)],
        context=["email", "mail", "e-mail", "contact"],
    )


def phone_recognizer() -> Any:
    from presidio_analyzer import Pattern, PatternRecognizer

    class PhonePatternRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool | None:
            digits = sum(ch.isdigit() for ch in pattern_text)
            return None if 7 <= digits <= 15 else False

    return PhonePatternRecognizer(
        supported_entity="PHONE_NUMBER",
        name="PhonePatternRecognizer",
        patterns=[
            Pattern("nanp", _NANP, 0.5),
            Pattern("international", _INTERNATIONAL, 0.5),
            Pattern("national", _NATIONAL, 0.4),
        ],
        context=["phone", "call", "tel", "mobile", "cell", "fax", "number"],
    )
