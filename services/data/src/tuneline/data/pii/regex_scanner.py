"""A light PII engine without spaCy: e-mails, phones, SSNs, card numbers (Luhn), IPv4 and IBANs (mod 97).

It finds no names or places. Use it where the spaCy model is not installed or when speed matters more than
names; the report names the engine so nobody mistakes its coverage for the presidio one.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from tuneline.data.pii.engine import PiiSpan, _resolve_overlaps
from tuneline.data.pii.patterns import _INTERNATIONAL, _NANP, _NATIONAL, EMAIL
from tuneline.data.pii.prefilter import needs_patterns

_EMAIL = re.compile(EMAIL)
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}[- ](?!00)\d{2}[- ](?!0000)\d{4}(?![\d-])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_PHONE = [(re.compile(p), s) for p, s in ((_NANP, 0.5), (_INTERNATIONAL, 0.5), (_NATIONAL, 0.4))]


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return 15 <= len(compact) <= 34 and int(number) % 97 == 1


def _ip_ok(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


class RegexPiiScanner:
    description = "regex engine: e-mail, phone, US SSN, card (Luhn), IPv4, IBAN (mod 97); no names or places"

    def scan(self, texts: Sequence[str]) -> list[list[PiiSpan]]:
        return [self._scan_one(text) if needs_patterns(text) else [] for text in texts]

    def _scan_one(self, text: str) -> list[PiiSpan]:
        spans = [PiiSpan("EMAIL_ADDRESS", m.start(), m.end(), 1.0) for m in _EMAIL.finditer(text)]
        spans += [PiiSpan("US_SSN", m.start(), m.end(), 0.5) for m in _SSN.finditer(text)]
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if 13 <= len(digits) <= 19 and _luhn(digits):
                spans.append(PiiSpan("CREDIT_CARD", m.start(), m.end(), 1.0))
        spans += [PiiSpan("IP_ADDRESS", m.start(), m.end(), 0.6) for m in _IPV4.finditer(text) if _ip_ok(m.group(0))]
        spans += [PiiSpan("IBAN_CODE", m.start(), m.end(), 1.0) for m in _IBAN.finditer(text) if _iban_ok(m.group(0))]
        for pattern, score in _PHONE:
            for m in pattern.finditer(text):
                if 7 <= sum(ch.isdigit() for ch in m.group(0)) <= 15:
                    spans.append(PiiSpan("PHONE_NUMBER", m.start(), m.end(), score))
        return _resolve_overlaps(spans)
