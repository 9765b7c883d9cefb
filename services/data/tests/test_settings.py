import pytest
from pydantic import ValidationError

from tuneline.data.settings import DEV_PII_SALT, DataSettings


def test_development_gets_a_dev_salt():
    settings = DataSettings(environment="development")
    assert settings.salt_bytes() == DEV_PII_SALT.encode()


def test_production_refuses_missing_or_placeholder_salt():
    base = {"environment": "production", "jwt_secret": "a-real-secret-that-is-long-enough"}
    with pytest.raises(ValidationError, match="TUNELINE_PII_HASH_SALT must be set"):
        DataSettings(**base)
    with pytest.raises(ValidationError, match="placeholder"):
        DataSettings(**base, pii_hash_salt=DEV_PII_SALT)


def test_short_salt_is_refused():
    with pytest.raises(ValidationError, match="at least 16 bytes"):
        DataSettings(pii_hash_salt="short")
