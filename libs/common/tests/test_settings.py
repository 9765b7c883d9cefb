"""Settings validation: a bad value names its TUNELINE_ variable; placeholder secrets never reach production."""

from __future__ import annotations

import pytest
from pydantic import Field

from tuneline.common.settings import DEV_JWT_SECRET, ConfigurationError, ServiceSettings, load_settings

REAL_SECRET = "k3P9-not-a-placeholder-9f2c1a7e"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("TUNELINE_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TUNELINE_HTTP_PORT", "70000"),
        ("TUNELINE_HTTP_PORT", "eighty"),
        ("TUNELINE_ENVIRONMENT", "staging"),
        ("TUNELINE_LOG_LEVEL", "LOUD"),
        ("TUNELINE_KAFKA_TOPIC_PARTITIONS", "0"),
        ("TUNELINE_OUTBOX_POLL_INTERVAL_S", "-1"),
        ("TUNELINE_CONSUMER_MAX_ATTEMPTS", "many"),
    ],
)
def test_invalid_environment_value_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings(ServiceSettings)
    assert variable in str(info.value)


def test_every_invalid_variable_is_named_in_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNELINE_HTTP_PORT", "0")
    monkeypatch.setenv("TUNELINE_DATABASE_POOL_SIZE", "1000")
    with pytest.raises(ConfigurationError) as info:
        load_settings(ServiceSettings)
    assert "TUNELINE_HTTP_PORT" in str(info.value)
    assert "TUNELINE_DATABASE_POOL_SIZE" in str(info.value)


def test_environment_values_are_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNELINE_HTTP_PORT", "8123")
    monkeypatch.setenv("TUNELINE_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    settings = load_settings(ServiceSettings)
    assert settings.http_port == 8123
    assert settings.kafka_bootstrap_servers == "kafka-1:9092,kafka-2:9092"


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNELINE_HTTP_PORT", "8123")
    assert load_settings(ServiceSettings, http_port=9000).http_port == 9000


def test_service_subclass_fields_are_validated_and_named() -> None:
    class TrainingLikeSettings(ServiceSettings):
        service_name: str = "traininglike"
        max_concurrent_jobs: int = Field(default=2, ge=1, description="Jobs run at once.")

    with pytest.raises(ConfigurationError, match="TUNELINE_MAX_CONCURRENT_JOBS"):
        load_settings(TrainingLikeSettings, max_concurrent_jobs=0)
    settings = load_settings(TrainingLikeSettings)
    assert settings.db_schema == "traininglike"


def test_development_without_secret_uses_the_dev_signing_key() -> None:
    settings = load_settings(ServiceSettings, environment="development")
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == DEV_JWT_SECRET


def test_development_accepts_a_placeholder_secret() -> None:
    settings = load_settings(ServiceSettings, environment="development", jwt_secret="changeme")
    assert settings.jwt_secret is not None and settings.jwt_secret.get_secret_value() == "changeme"


def test_production_without_any_token_key_is_refused() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(ServiceSettings, environment="production")
    assert "TUNELINE_JWT_SECRET" in str(info.value) or "TUNELINE_JWT_PUBLIC_KEY" in str(info.value)


@pytest.mark.parametrize("placeholder", ["changeme", "secret", "", DEV_JWT_SECRET])
def test_production_refuses_a_placeholder_jwt_secret(placeholder: str) -> None:
    with pytest.raises(ConfigurationError, match="TUNELINE_JWT_SECRET"):
        load_settings(ServiceSettings, environment="production", jwt_secret=placeholder)


def test_production_refuses_placeholder_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNELINE_ENVIRONMENT", "production")
    monkeypatch.setenv("TUNELINE_JWT_SECRET", "change-me")
    with pytest.raises(ConfigurationError, match="TUNELINE_JWT_SECRET"):
        load_settings(ServiceSettings)


def test_production_accepts_a_real_secret_or_a_public_key() -> None:
    assert load_settings(ServiceSettings, environment="production", jwt_secret=REAL_SECRET).environment == "production"
    with_key = load_settings(
        ServiceSettings, environment="production", jwt_public_key="-----BEGIN PUBLIC KEY-----", jwt_algorithms=["RS256"]
    )
    assert with_key.jwt_secret is None, "no dev signing key is invented when a public key verifies tokens"


@pytest.mark.parametrize("s3_secret", [None, "changeme", "secret", ""])
def test_production_refuses_missing_or_placeholder_s3_secret(s3_secret: str | None) -> None:
    with pytest.raises(ConfigurationError, match="TUNELINE_S3_SECRET_KEY"):
        load_settings(
            ServiceSettings,
            environment="production",
            jwt_secret=REAL_SECRET,
            object_store_url="s3://models",
            s3_endpoint="s3.internal:9000",
            s3_access_key="tuneline",
            s3_secret_key=s3_secret,
        )


def test_production_with_real_s3_secret_or_local_store_is_accepted() -> None:
    settings = load_settings(
        ServiceSettings,
        environment="production",
        jwt_secret=REAL_SECRET,
        object_store_url="s3://models/prefix",
        s3_endpoint="s3.internal:9000",
        s3_secret_key="9b1f2e77c0d54a0e8f3c",
    )
    assert settings.s3_secret_key is not None
    local = load_settings(ServiceSettings, environment="production", jwt_secret=REAL_SECRET)
    assert local.object_store_url.startswith("file://")


def test_development_accepts_placeholder_s3_secret() -> None:
    settings = load_settings(
        ServiceSettings, environment="development", object_store_url="s3://models", s3_secret_key="changeme"
    )
    assert settings.s3_secret_key is not None


def test_secrets_do_not_leak_in_repr() -> None:
    settings = load_settings(ServiceSettings, jwt_secret=REAL_SECRET, s3_secret_key="s3-very-secret-value")
    text = repr(settings) + str(settings.model_dump())
    assert REAL_SECRET not in text
    assert "s3-very-secret-value" not in text
