"""A deterministic, labelled synthetic PII corpus for measuring recall (benchmarks and slow tests).

Records are ~200-character support/maintenance notes; about 40% carry PII (people, places, e-mails,
phone numbers in several national formats, SSNs, Luhn-valid card numbers, IPv4 addresses, valid IBANs),
with the exact character span of every planted value, so recall is computed, not eyeballed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST = [
    "John",
    "Maria",
    "Ahmed",
    "Li",
    "Olga",
    "Carlos",
    "Priya",
    "James",
    "Fatima",
    "Lukas",
    "Emma",
    "David",
    "Sofia",
    "Michael",
    "Aisha",
    "Robert",
    "Elena",
    "Daniel",
    "Sarah",
    "Thomas",
]
LAST = [
    "Smith",
    "Garcia",
    "Khan",
    "Wang",
    "Ivanova",
    "Rodriguez",
    "Patel",
    "Johnson",
    "Haddad",
    "Becker",
    "Brown",
    "Miller",
    "Rossi",
    "Davis",
    "Okafor",
    "Wilson",
    "Petrova",
    "Martin",
    "Taylor",
    "Anderson",
]
CITIES = ["Boston", "Chicago", "Madrid", "London", "Berlin", "Toronto", "Seattle", "Paris", "Denver", "Dallas"]
FILLER = [
    "The pump on line 3 failed twice this week and maintenance replaced the seal again.",
    "Conveyor belt tension was checked during the night shift and found within limits.",
    "The customer reported that the dashboard shows stale values after the last update.",
    "Vibration on the main spindle increased after lubrication was skipped for two cycles.",
    "Ticket closed after the firmware was rolled back to the previous stable release.",
    "Operators noted a burning smell near the motor housing; the unit was shut down safely.",
    "Please review the attached log excerpt and confirm whether the error repeats.",
    "Throughput dropped by twelve percent because the packaging station waited for labels.",
]
CLOSINGS = [
    "Status: open.",
    "Priority is medium.",
    "No further action needed today.",
    "Follow up on Monday.",
    "Parts are on order.",
    "Shift lead informed.",
]
TEMPLATES = [
    "Please contact {PERSON} at {EMAIL_ADDRESS} about the delayed order.",
    "Call {PERSON} on {PHONE_NUMBER} before the technician visit in {LOCATION}.",
    "Customer {PERSON} from {LOCATION} asked for a refund to card {CREDIT_CARD}.",
    "Employee record: {PERSON}, SSN {US_SSN}, phone {PHONE_NUMBER}.",
    "Login from {IP_ADDRESS} was flagged; the account owner {PERSON} was notified by {EMAIL_ADDRESS}.",
    "Wire the deposit to IBAN {IBAN_CODE} and send the receipt to {EMAIL_ADDRESS}.",
    "{PERSON} called from {PHONE_NUMBER} and said the unit in {LOCATION} is down.",
    "Escalated by {PERSON}; callback number {PHONE_NUMBER}.",
]


@dataclass(frozen=True)
class LabelledText:
    text: str
    spans: tuple[tuple[str, int, int], ...]  # (entity type, start, end)


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    digits = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return digits + str((10 - total % 10) % 10)


def _iban_de(rng: random.Random) -> str:
    bban = "".join(str(rng.randrange(10)) for _ in range(18))
    check = 98 - int(bban + "131400") % 97  # D=13, E=14, then "00"
    raw = f"DE{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _phone(rng: random.Random) -> str:
    a, b, c = rng.randrange(201, 990), rng.randrange(200, 999), rng.randrange(0, 10000)
    return rng.choice(
        [
            f"({a}) {b}-{c:04d}",
            f"{a}-{b}-{c:04d}",
            f"{a}.{b}.{c:04d}",
            f"+1 {a} {b} {c:04d}",
            f"+44 20 {rng.randrange(7000, 8999)} {rng.randrange(1000, 9999)}",
            f"+49 30 {rng.randrange(100000, 999999)}",
        ]
    )


def _value(entity: str, person: str, rng: random.Random) -> str:
    if entity == "PERSON":
        return person
    if entity == "LOCATION":
        return rng.choice(CITIES)
    if entity == "EMAIL_ADDRESS":
        first, _, last = person.partition(" ")
        return f"{first.lower()}.{last.lower()}@{rng.choice(['example.com', 'mail.org', 'corp.net'])}"
    if entity == "PHONE_NUMBER":
        return _phone(rng)
    if entity == "US_SSN":
        return f"{rng.randrange(100, 665)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}"
    if entity == "CREDIT_CARD":
        number = _luhn_complete(rng.choice(["4", "51", "55"]), 16, rng)
        return " ".join(number[i : i + 4] for i in range(0, 16, 4))
    if entity == "IP_ADDRESS":
        return ".".join(str(rng.randrange(1, 255)) for _ in range(4))
    if entity == "IBAN_CODE":
        return _iban_de(rng)
    raise ValueError(entity)


def _fill(template: str, rng: random.Random) -> LabelledText:
    person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    out, spans, rest = "", [], template
    while "{" in rest:
        before, _, after = rest.partition("{")
        entity, _, rest = after.partition("}")
        out += before
        value = _value(entity, person, rng)
        spans.append((entity, len(out), len(out) + len(value)))
        out += value
    return LabelledText(out + rest, tuple(spans))


def generate(count: int, *, seed: int = 7, pii_share: float = 0.4) -> list[LabelledText]:
    rng = random.Random(seed)
    records: list[LabelledText] = []
    for _ in range(count):
        lead = rng.choice(FILLER)
        if rng.random() < pii_share:
            filled = _fill(rng.choice(TEMPLATES), rng)
            offset = len(lead) + 1
            spans = tuple((e, s + offset, t + offset) for e, s, t in filled.spans)
            records.append(LabelledText(f"{lead} {filled.text} {rng.choice(CLOSINGS)}", spans))
        else:
            records.append(LabelledText(f"{lead} {rng.choice(FILLER)} {rng.choice(CLOSINGS)}", ()))
    return records


def recall(labelled: list[LabelledText], found: list[list[tuple[str, int, int]]]) -> dict[str, float]:
    """Share of planted spans overlapped by a detection of the same entity type, per type and overall."""
    hits: dict[str, list[int]] = {}
    for item, detections in zip(labelled, found, strict=True):
        for entity, start, end in item.spans:
            ok = any(e == entity and s < end and start < t for e, s, t in detections)
            hits.setdefault(entity, [0, 0])
            hits[entity][0] += int(ok)
            hits[entity][1] += 1
    result = {entity: h / n for entity, (h, n) in sorted(hits.items())}
    total_hits = sum(h for h, _ in hits.values())
    total = sum(n for _, n in hits.values())
    result["overall"] = total_hits / total if total else 1.0
    return result
