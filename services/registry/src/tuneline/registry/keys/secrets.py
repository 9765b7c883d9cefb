"""Inference API key material: generation, parsing and hashing.

A key looks like ``tlk_<prefix>_<secret>``. The prefix is public (it is how people list and revoke keys and how
logs name a caller); the secret is 256 random bits, shown once and never stored.

Why HMAC-SHA256 with a server pepper and not argon2/bcrypt: slow password hashes exist to make guessing
low-entropy human passwords expensive. A 256-bit random secret cannot be guessed at any hash speed, so a slow
hash would buy no security while costing tens of milliseconds and megabytes of memory on every inference
request. The pepper (a server secret that never enters the database) means a stolen copy of the key table
alone cannot even be used to test a candidate key. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_SCHEME = "tlk"
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o/1/l: prefixes get read aloud and typed
PREFIX_LENGTH = 10
MIN_PEPPER_BYTES = 32


class MalformedKey(ValueError):
    pass


@dataclass(frozen=True)
class GeneratedKey:
    prefix: str
    plaintext: str  # returned to the caller once, never persisted
    key_hash: str


def generate_key(pepper: bytes) -> GeneratedKey:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    return GeneratedKey(prefix, plaintext, hash_key(plaintext, pepper))


def parse_prefix(presented: str) -> str:
    """The public prefix of a presented key; raises MalformedKey without echoing the secret."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        raise MalformedKey(f"API key must look like {KEY_SCHEME}_<prefix>_<secret>")
    prefix, secret = parts[1], parts[2]
    if len(prefix) != PREFIX_LENGTH or any(c not in _PREFIX_ALPHABET for c in prefix) or len(secret) < 32:
        raise MalformedKey(f"API key must look like {KEY_SCHEME}_<prefix>_<secret>")
    return prefix


def hash_key(plaintext: str, pepper: bytes) -> str:
    check_pepper(pepper)
    return hmac.new(pepper, plaintext.encode(), hashlib.sha256).hexdigest()


def hashes_match(plaintext: str, stored_hash: str, pepper: bytes) -> bool:
    return hmac.compare_digest(hash_key(plaintext, pepper), stored_hash)


def check_pepper(pepper: bytes) -> None:
    if len(pepper) < MIN_PEPPER_BYTES:
        raise ValueError(f"key pepper must be at least {MIN_PEPPER_BYTES} bytes, got {len(pepper)}")
