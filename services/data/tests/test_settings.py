from pathlib import Path

import pytest
from pydantic import ValidationError

from tuneline.common.settings import ConfigurationError, load_settings
from tuneline.data.settings import DEV_PII_SALT, DataSettings

STRONG = "a-real-secret-that-is-long-enough-for-anything"


def test_without_a_salt_development_and_test_generate_one_kept_in_the_state_directory(tmp_path: Path) -> None:
    first = DataSettings(environment="development", state_dir=str(tmp_path))
    again = DataSettings(environment="test", state_dir=str(tmp_path))
    assert first.salt_bytes() == again.salt_bytes() != DEV_PII_SALT.encode()  # stable: hashes stay comparable
    assert len(first.salt_bytes()) >= 32
    assert (tmp_path / "pii-hash-salt").stat().st_mode & 0o777 == 0o600


def test_production_refuses_a_missing_salt() -> None:
    with pytest.raises(ValidationError, match="TUNELINE_PII_HASH_SALT must be set in production"):
        DataSettings(environment="production", jwt_secret=STRONG)


@pytest.mark.parametrize("weak", [DEV_PII_SALT, "change-me", "sixteen-bytes-ok"])
@pytest.mark.parametrize("environment", ["production", "test"])
def test_the_shipped_default_a_placeholder_or_a_short_salt_is_refused(environment: str, weak: str) -> None:
    with pytest.raises(ConfigurationError, match="TUNELINE_PII_HASH_SALT") as refused:
        load_settings(DataSettings, environment=environment, jwt_secret=STRONG, pii_hash_salt=weak)
    assert weak not in str(refused.value) and refused.value.__cause__ is None  # the secret is never repeated


def test_development_on_loopback_may_use_a_weak_salt_but_not_beyond_it() -> None:
    assert DataSettings(environment="development", pii_hash_salt="short").salt_bytes() == b"short"
    with pytest.raises(ValidationError, match="non-loopback"):
        DataSettings(environment="development", http_host="0.0.0.0", jwt_secret=STRONG, pii_hash_salt="short")
