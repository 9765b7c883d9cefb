import hashlib
import hmac

import pytest

from tuneline.registry.keys.secrets import MalformedKey, generate_key, hash_key, hashes_match, parse_prefix

PEPPER = b"k" * 32


def test_generated_key_has_scheme_prefix_and_256_bit_secret() -> None:
    key = generate_key(PEPPER)
    scheme, prefix, secret = key.plaintext.split("_", 2)
    assert scheme == "tlk" and prefix == key.prefix and len(prefix) == 10
    assert len(secret) >= 43  # 32 random bytes in url-safe base64


def test_stored_hash_is_hmac_sha256_of_the_whole_key_with_the_pepper() -> None:
    key = generate_key(PEPPER)
    expected = hmac.new(PEPPER, key.plaintext.encode(), hashlib.sha256).hexdigest()
    assert key.key_hash == expected
    assert key.plaintext not in key.key_hash


def test_hash_depends_on_the_pepper() -> None:
    key = generate_key(PEPPER)
    assert hashes_match(key.plaintext, key.key_hash, PEPPER)
    assert not hashes_match(key.plaintext, key.key_hash, b"x" * 32)


def test_two_keys_never_share_prefix_or_secret() -> None:
    keys = [generate_key(PEPPER) for _ in range(200)]
    assert len({k.prefix for k in keys}) == 200
    assert len({k.plaintext for k in keys}) == 200


@pytest.mark.parametrize(
    "presented", ["", "sk-abc", "tlk_short_" + "a" * 43, "tlk_abcdefghij_tooshort", "xyz_abcdefghij_" + "a" * 43]
)
def test_malformed_keys_are_rejected_without_echoing_them(presented: str) -> None:
    with pytest.raises(MalformedKey) as exc:
        parse_prefix(presented)
    assert presented not in str(exc.value) or presented == ""


def test_short_pepper_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        hash_key("tlk_x", b"short")
