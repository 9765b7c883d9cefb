"""Scoped inference API keys: the key record and the rules for accepting a presented key.

A key is scoped to registered model names; it answers for those models only. A revoked or expired key is
refused, and each key has its own request rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from tuneline.registry.keys.ratelimit import Decision, TokenBucketLimiter, per_replica_limit
from tuneline.registry.keys.secrets import GeneratedKey, MalformedKey, generate_key, hashes_match, parse_prefix

DEFAULT_REQUESTS_PER_MINUTE = 600


@dataclass(frozen=True)
class ApiKey:
    prefix: str
    key_hash: str
    name: str
    owner: str
    models: frozenset[str]
    created_at: datetime
    fine_tuning_roles: frozenset[str] = frozenset()
    requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def issue_key(
    *,
    name: str,
    owner: str,
    models: set[str] | frozenset[str],
    now: datetime,
    pepper: bytes,
    requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
    expires_at: datetime | None = None,
    fine_tuning_roles: frozenset[str] = frozenset(),
) -> tuple[ApiKey, str]:
    """A new key record and its plaintext (to show once). A fine-tuning key may start without models: the models
    it fine-tunes through the OpenAI surface join its scope."""
    if not models and not fine_tuning_roles:
        raise ValueError("models: a key must be scoped to at least one model name (or be a fine-tuning key)")
    if any(not m or m != m.strip() for m in models):
        raise ValueError("models: model names must be non-empty and without surrounding spaces")
    if requests_per_minute <= 0:
        raise ValueError(f"requests_per_minute: must be positive, got {requests_per_minute}")
    for label, moment in (("now", now), ("expires_at", expires_at)):
        if moment is not None and moment.tzinfo is None:
            raise ValueError(f"{label}: must be timezone-aware (UTC)")
    if expires_at is not None and expires_at <= now:
        raise ValueError("expires_at: must be in the future")
    generated: GeneratedKey = generate_key(pepper)
    record = ApiKey(
        prefix=generated.prefix,
        key_hash=generated.key_hash,
        name=name,
        owner=owner,
        models=frozenset(models),
        fine_tuning_roles=frozenset(fine_tuning_roles),
        created_at=now,
        requests_per_minute=requests_per_minute,
        expires_at=expires_at,
    )
    return record, generated.plaintext


def revoke(key: ApiKey, now: datetime) -> ApiKey:
    return key if key.revoked_at is not None else replace(key, revoked_at=now)


class RejectReason(StrEnum):
    MISSING = "missing"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    OUT_OF_SCOPE = "out_of_scope"
    RATE_LIMITED = "rate_limited"


#: HTTP status for each refusal: 401 = we do not know who you are, 403 = we do, and you may not.
REJECT_STATUS = {
    RejectReason.MISSING: 401,
    RejectReason.MALFORMED: 401,
    RejectReason.UNKNOWN: 401,
    RejectReason.REVOKED: 401,
    RejectReason.EXPIRED: 401,
    RejectReason.OUT_OF_SCOPE: 403,
    RejectReason.RATE_LIMITED: 429,
}


class KeyRejected(Exception):
    def __init__(self, reason: RejectReason, message: str, retry_after_s: float = 0.0, prefix: str | None = None):
        self.reason = reason
        self.status = REJECT_STATUS[reason]
        self.retry_after_s = retry_after_s
        self.prefix = prefix
        super().__init__(message)


@dataclass
class KeyAuthorizer:
    """Checks a presented key against known key records for one model.

    `replicas` is how many processes share the traffic with their own limiter (see ratelimit.py).
    """

    pepper: bytes
    keys: dict[str, ApiKey] = field(default_factory=dict)
    limiter: TokenBucketLimiter = field(default_factory=TokenBucketLimiter)
    replicas: int = 1

    def replace_keys(self, keys: list[ApiKey]) -> None:
        self.keys = {k.prefix: k for k in keys}

    def authorize(self, presented: str | None, model: str, now: datetime) -> ApiKey:
        """`authenticate`, then this process's own token bucket (see ratelimit.py for the shared limit)."""
        key = self.authenticate(presented, model, now)
        decision = self.limiter.check(key.prefix, per_replica_limit(key.requests_per_minute, self.replicas))
        if not decision.allowed:
            raise rate_limited(key, decision)
        return key

    def authenticate(self, presented: str | None, model: str, now: datetime) -> ApiKey:
        """The key's identity, state and scope; every refusal but the rate limit."""
        if not presented:
            raise KeyRejected(RejectReason.MISSING, "an API key is required (Authorization: Bearer <key>)")
        try:
            prefix = parse_prefix(presented)
        except MalformedKey as exc:
            raise KeyRejected(RejectReason.MALFORMED, str(exc)) from None
        key = self.keys.get(prefix)
        if key is None or not hashes_match(presented, key.key_hash, self.pepper):
            raise KeyRejected(RejectReason.UNKNOWN, "API key not recognised", prefix=prefix)
        if key.revoked_at is not None:
            raise KeyRejected(RejectReason.REVOKED, f"API key {prefix} was revoked", prefix=prefix)
        if key.expires_at is not None and now >= key.expires_at:
            raise KeyRejected(
                RejectReason.EXPIRED, f"API key {prefix} expired at {key.expires_at.isoformat()}", prefix=prefix
            )
        if model not in key.models:
            raise KeyRejected(
                RejectReason.OUT_OF_SCOPE, f"API key {prefix} is not allowed to call model {model!r}", prefix=prefix
            )
        return key


def rate_limited(key: ApiKey, decision: Decision) -> KeyRejected:
    return KeyRejected(
        RejectReason.RATE_LIMITED,
        f"API key {key.prefix} exceeded {key.requests_per_minute} requests/minute",
        retry_after_s=decision.retry_after_s,
        prefix=key.prefix,
    )
