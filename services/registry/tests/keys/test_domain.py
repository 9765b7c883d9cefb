from datetime import UTC, datetime, timedelta

import pytest

from tuneline.registry.keys.domain import KeyAuthorizer, KeyRejected, RejectReason, issue_key, revoke
from tuneline.registry.keys.ratelimit import TokenBucketLimiter

PEPPER = b"p" * 32
NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def authorizer(*keys, limiter=None) -> KeyAuthorizer:  # type: ignore[no-untyped-def]
    auth = KeyAuthorizer(pepper=PEPPER, limiter=limiter or TokenBucketLimiter())
    auth.replace_keys(list(keys))
    return auth


def reason(auth: KeyAuthorizer, presented: str | None, model: str, now: datetime = NOW) -> RejectReason:
    with pytest.raises(KeyRejected) as exc:
        auth.authorize(presented, model, now)
    return exc.value.reason


def test_key_for_model_a_is_accepted_for_a_and_refused_for_b_with_403() -> None:
    record, plaintext = issue_key(name="ci", owner="ann", models={"model-a"}, now=NOW, pepper=PEPPER)
    auth = authorizer(record)
    assert auth.authorize(plaintext, "model-a", NOW).prefix == record.prefix
    with pytest.raises(KeyRejected) as exc:
        auth.authorize(plaintext, "model-b", NOW)
    assert (exc.value.reason, exc.value.status) == (RejectReason.OUT_OF_SCOPE, 403)
    assert "model-b" in str(exc.value)


def test_the_record_keeps_only_the_hash_never_the_plaintext() -> None:
    record, plaintext = issue_key(name="ci", owner="ann", models={"m"}, now=NOW, pepper=PEPPER)
    assert plaintext not in repr(record)
    assert plaintext.split("_", 2)[2] not in repr(record)


def test_revoked_key_is_refused_with_401() -> None:
    record, plaintext = issue_key(name="ci", owner="ann", models={"m"}, now=NOW, pepper=PEPPER)
    auth = authorizer(revoke(record, NOW))
    assert reason(auth, plaintext, "m") is RejectReason.REVOKED


def test_key_works_until_its_expiry_and_not_at_or_after_it() -> None:
    expires = NOW + timedelta(days=1)
    record, plaintext = issue_key(name="ci", owner="ann", models={"m"}, now=NOW, pepper=PEPPER, expires_at=expires)
    auth = authorizer(record)
    assert auth.authorize(plaintext, "m", expires - timedelta(seconds=1))
    assert reason(auth, plaintext, "m", expires) is RejectReason.EXPIRED


def test_unknown_wrong_secret_missing_and_malformed_keys_are_401() -> None:
    record, plaintext = issue_key(name="ci", owner="ann", models={"m"}, now=NOW, pepper=PEPPER)
    auth = authorizer(record)
    tampered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    assert reason(auth, tampered, "m") is RejectReason.UNKNOWN
    _, other_plain = issue_key(name="x", owner="ann", models={"m"}, now=NOW, pepper=PEPPER)
    assert reason(auth, other_plain, "m") is RejectReason.UNKNOWN
    assert reason(auth, None, "m") is RejectReason.MISSING
    assert reason(auth, "Bearer nonsense", "m") is RejectReason.MALFORMED


def test_rate_limited_key_gets_429_with_retry_after() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(lambda: now[0])
    record, plaintext = issue_key(name="ci", owner="ann", models={"m"}, now=NOW, pepper=PEPPER, requests_per_minute=2)
    auth = authorizer(record, limiter=limiter)
    auth.authorize(plaintext, "m", NOW)
    auth.authorize(plaintext, "m", NOW)
    with pytest.raises(KeyRejected) as exc:
        auth.authorize(plaintext, "m", NOW)
    assert exc.value.status == 429
    assert exc.value.retry_after_s == pytest.approx(30.0)  # 2/min → one token every 30 s
    now[0] = 30.0
    assert auth.authorize(plaintext, "m", NOW)


def test_with_two_replicas_each_allows_half_the_limit() -> None:
    record, plaintext = issue_key(name="ci", owner="ann", models={"m"}, now=NOW, pepper=PEPPER, requests_per_minute=10)
    auth = authorizer(record, limiter=TokenBucketLimiter(lambda: 0.0))
    auth.replicas = 2
    allowed = 0
    for _ in range(10):
        try:
            auth.authorize(plaintext, "m", NOW)
            allowed += 1
        except KeyRejected:
            pass
    assert allowed == 5


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"models": set()}, "models"),
        ({"requests_per_minute": 0}, "requests_per_minute"),
        ({"expires_at": NOW - timedelta(seconds=1)}, "expires_at"),
        ({"expires_at": datetime(2030, 1, 1)}, "expires_at"),
    ],
)
def test_bad_key_requests_name_the_field(kwargs: dict, field: str) -> None:
    args = {"name": "ci", "owner": "ann", "models": {"m"}, "now": NOW, "pepper": PEPPER, **kwargs}
    with pytest.raises(ValueError, match=f"^{field}:"):
        issue_key(**args)
