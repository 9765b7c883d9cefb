"""Slow: loads the real spaCy model through presidio (about 10 s per engine)."""

import pytest

from tuneline.data.pii.synthetic import generate, recall
from tuneline.data.processing.records import RecordMode

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scanner():
    import torch

    torch.set_num_threads(1)
    from tuneline.data.pii.engine import PiiScanner

    return PiiScanner()


def test_finds_each_supported_entity_type(scanner):
    text = (
        "Maria Garcia from Madrid wrote from maria@example.com, phone (415) 555-0199, SSN 536-22-8741, "
        "card 4111 1111 1111 1111, IP 10.20.30.40, IBAN DE89 3704 0044 0532 0130 00."
    )
    found = {(s.entity_type, text[s.start : s.end]) for s in scanner.scan([text])[0]}
    assert found == {
        ("PERSON", "Maria Garcia"),
        ("LOCATION", "Madrid"),
        ("EMAIL_ADDRESS", "maria@example.com"),
        ("PHONE_NUMBER", "(415) 555-0199"),
        ("US_SSN", "536-22-8741"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("IP_ADDRESS", "10.20.30.40"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    }


def test_us_phone_is_not_reported_as_nhs_number(scanner):
    spans = scanner.scan(["Call 212-555-0147 now"])[0]
    assert [s.entity_type for s in spans] == ["PHONE_NUMBER"]


def test_skips_texts_the_prefilter_clears(scanner):
    before = dict(scanner.stats)
    assert scanner.scan(["the pump failed twice and was replaced"]) == [[]]
    assert scanner.stats["skipped"] == before["skipped"] + 1


def test_recall_is_at_least_that_of_the_plain_presidio_loop(scanner):
    from tuneline.data.pii.engine import SUPPORTED_ENTITIES
    from tuneline.data.pii.presidio_setup import create_plain_analyzer

    corpus = generate(120, seed=11)
    texts = [item.text for item in corpus]
    ours = [[(s.entity_type, s.start, s.end) for s in spans] for spans in scanner.scan(texts)]
    plain = create_plain_analyzer()
    theirs = [
        [
            (r.entity_type, r.start, r.end)
            for r in plain.analyze(t, language="en")
            if r.entity_type in SUPPORTED_ENTITIES
        ]
        for t in texts
    ]
    assert recall(corpus, ours)["overall"] >= recall(corpus, theirs)["overall"]
    assert recall(corpus, ours)["overall"] > 0.9


def test_audit_redacts_records_and_reports_only_masked_values(scanner):
    from tuneline.data.pii.redaction import RedactionMode, RedactionPolicy
    from tuneline.data.pii.report import PiiAudit

    records = [
        {"prompt": "Email john.smith@example.com please", "completion": "Done, called 415-555-0199."},
        {"prompt": "How do I reset the pump?", "completion": "hold the reset button for five seconds"},
    ]
    audit = PiiAudit(scanner, RecordMode.INSTRUCTION, RedactionPolicy(RedactionMode.REPLACE))
    redacted = list(audit.process(records))
    assert redacted[0] == {"prompt": "Email <EMAIL_ADDRESS> please", "completion": "Done, called <PHONE_NUMBER>."}
    assert redacted[1] == records[1]
    assert records[0]["prompt"].startswith("Email john")  # input untouched
    report = audit.report()
    assert (report.records_scanned, report.records_with_pii) == (2, 1)
    assert report.entities["EMAIL_ADDRESS"].examples == ["j*********@e******.com"]
    dumped = report.model_dump_json()
    assert "john.smith" not in dumped and "415-555-0199" not in dumped
