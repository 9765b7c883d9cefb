import pytest

from tuneline.data.pii.engine import PiiSpan, _resolve_overlaps
from tuneline.data.pii.masking import mask_value
from tuneline.data.pii.redaction import RedactionMode, RedactionPolicy, redact_text

TEXT = "Mail john@example.com or call 555-123-4567."
SPANS = [PiiSpan("EMAIL_ADDRESS", 5, 21, 1.0), PiiSpan("PHONE_NUMBER", 30, 42, 0.5)]


@pytest.mark.parametrize(
    ("entity", "value", "masked"),
    [
        ("EMAIL_ADDRESS", "john.smith@example.com", "j*********@e******.com"),
        ("PHONE_NUMBER", "555-123-4567", "***-***-**67"),
        ("CREDIT_CARD", "4111 1111 1111 1111", "**** **** **** **11"),
        ("PERSON", "Maria Garcia", "M**** G*****"),
    ],
)
def test_masked_examples_keep_shape_not_value(entity, value, masked):
    assert mask_value(entity, value) == masked


def test_replace_policy_uses_entity_tags():
    assert (
        redact_text(TEXT, SPANS, RedactionPolicy(RedactionMode.REPLACE))
        == "Mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>."
    )


def test_mask_policy_keeps_length():
    redacted = redact_text(TEXT, SPANS, RedactionPolicy(RedactionMode.MASK))
    assert redacted == "Mail " + "*" * 16 + " or call " + "*" * 12 + "."


def test_hash_policy_is_stable_and_keyed_by_the_salt():
    policy = RedactionPolicy(RedactionMode.HASH, salt=b"s" * 16)
    first = redact_text(TEXT, SPANS, policy)
    assert first == redact_text(TEXT, SPANS, policy)
    assert "john@example.com" not in first and first.startswith("Mail <EMAIL_ADDRESS:")
    other = redact_text(TEXT, SPANS, RedactionPolicy(RedactionMode.HASH, salt=b"t" * 16))
    assert other != first


def test_hash_policy_refuses_a_short_salt():
    with pytest.raises(ValueError, match=r"salt: .*at least 16 bytes"):
        RedactionPolicy(RedactionMode.HASH, salt=b"short")


def test_policy_can_limit_entity_types():
    policy = RedactionPolicy(RedactionMode.REPLACE, entities=frozenset({"PHONE_NUMBER"}))
    assert redact_text(TEXT, SPANS, policy) == "Mail john@example.com or call <PHONE_NUMBER>."


def test_overlaps_prefer_validated_patterns_over_ner():
    spans = [PiiSpan("LOCATION", 0, 12, 0.85), PiiSpan("IP_ADDRESS", 0, 12, 0.6), PiiSpan("PERSON", 20, 30, 0.85)]
    assert [s.entity_type for s in _resolve_overlaps(spans)] == ["IP_ADDRESS", "PERSON"]
