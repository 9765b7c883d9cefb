"""Settings validation: a bad value names its TUNELINE_ variable; placeholder secrets never reach production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from tuneline.common.settings import (
    DEV_JWT_SECRET,
    JWT_SECRET_FILE,
    ConfigurationError,
    ServiceSettings,
    load_settings,
    state_secret,
    weak_secret,
)

REAL_SECRET = "k3P9-not-a-placeholder-9f2c1a7e-d41b6c"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("TUNELINE_"):
            monkeypatch.delenv(name)
    # A generated development secret lands in this test's directory, not the working directory.
    monkeypatch.setenv("TUNELINE_STATE_DIR", str(tmp_path / "default-state"))


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


WEAK_SECRETS = {
    "placeholder": "change-me",
    "empty": "",
    "old built-in default": DEV_JWT_SECRET,
    "31 bytes": "x7Qm2vR9pL4kT8wZ1cF6hN3bJ5dG0sA",
}
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "127.0.0.2"]
REACHABLE_HOSTS = ["0.0.0.0", "10.1.2.3", "::", "tuneline.internal"]


@pytest.mark.parametrize("environment", ["development", "test", "production"])
@pytest.mark.parametrize("host", LOOPBACK_HOSTS[:1] + REACHABLE_HOSTS[:1])
def test_a_strong_secret_is_accepted_in_every_environment_on_any_host(environment: str, host: str) -> None:
    settings = load_settings(ServiceSettings, environment=environment, http_host=host, jwt_secret=REAL_SECRET)
    assert settings.jwt_secret is not None and settings.jwt_secret.get_secret_value() == REAL_SECRET


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
@pytest.mark.parametrize("weak", list(WEAK_SECRETS.values()), ids=list(WEAK_SECRETS))
def test_development_on_loopback_accepts_a_weak_secret(host: str, weak: str) -> None:
    settings = load_settings(ServiceSettings, environment="development", http_host=host, jwt_secret=weak)
    assert settings.jwt_secret is not None and settings.jwt_secret.get_secret_value() == weak


@pytest.mark.parametrize("host", REACHABLE_HOSTS)
@pytest.mark.parametrize("weak", list(WEAK_SECRETS.values()), ids=list(WEAK_SECRETS))
def test_development_refuses_to_bind_a_reachable_host_with_a_weak_secret(host: str, weak: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(ServiceSettings, environment="development", http_host=host, jwt_secret=weak)
    message = str(info.value)
    assert "TUNELINE_JWT_SECRET" in message and "TUNELINE_HTTP_HOST" in message and host in message


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("host", LOOPBACK_HOSTS[:1] + REACHABLE_HOSTS[:1])
@pytest.mark.parametrize("weak", list(WEAK_SECRETS.values()), ids=list(WEAK_SECRETS))
def test_test_and_production_refuse_a_weak_secret_even_on_loopback(environment: str, host: str, weak: str) -> None:
    with pytest.raises(ConfigurationError, match="TUNELINE_JWT_SECRET") as info:
        load_settings(ServiceSettings, environment=environment, http_host=host, jwt_secret=weak)
    assert weak == "" or weak not in str(info.value), "the refusal does not repeat the secret"


def test_a_weak_secret_from_the_environment_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNELINE_ENVIRONMENT", "development")
    monkeypatch.setenv("TUNELINE_HTTP_HOST", "0.0.0.0")
    monkeypatch.setenv("TUNELINE_JWT_SECRET", "change-me")
    with pytest.raises(ConfigurationError, match="TUNELINE_JWT_SECRET"):
        load_settings(ServiceSettings)


@pytest.mark.parametrize("environment", ["development", "test"])
def test_without_a_secret_one_is_generated_once_in_the_state_dir(environment: str, tmp_path: Path) -> None:
    first = load_settings(ServiceSettings, environment=environment, http_host="0.0.0.0", state_dir=str(tmp_path))
    again = load_settings(ServiceSettings, environment=environment, state_dir=str(tmp_path))
    assert first.jwt_secret is not None and again.jwt_secret is not None
    generated = first.jwt_secret.get_secret_value()
    assert generated == again.jwt_secret.get_secret_value(), "every process of one state dir shares the secret"
    assert weak_secret(generated) is None and generated != DEV_JWT_SECRET
    path = tmp_path / JWT_SECRET_FILE
    assert path.read_text().strip() == generated
    assert path.stat().st_mode & 0o777 == 0o600
    other = load_settings(ServiceSettings, environment=environment, state_dir=str(tmp_path / "elsewhere"))
    assert other.jwt_secret is not None and other.jwt_secret.get_secret_value() != generated


def test_a_generated_secret_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / JWT_SECRET_FILE
    path.write_text("a" * 64)
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_settings(ServiceSettings, state_dir=str(tmp_path))


def test_processes_starting_together_agree_on_the_generated_secret(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "state" / JWT_SECRET_FILE
    with ThreadPoolExecutor(max_workers=8) as pool:
        values = set(pool.map(lambda _: state_secret(path), range(32)))
    assert values == {path.read_text().strip()}
    assert [p.name for p in path.parent.iterdir()] == [JWT_SECRET_FILE], "no temporary file is left behind"


def test_production_without_any_token_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(ServiceSettings, environment="production", state_dir=str(tmp_path))
    assert "TUNELINE_JWT_SECRET" in str(info.value) or "TUNELINE_JWT_PUBLIC_KEY" in str(info.value)
    assert not (tmp_path / JWT_SECRET_FILE).exists(), "production never generates its own signing secret"


def test_production_accepts_a_real_secret_or_a_public_key() -> None:
    assert load_settings(ServiceSettings, environment="production", jwt_secret=REAL_SECRET).environment == "production"
    with_key = load_settings(
        ServiceSettings, environment="production", jwt_public_key="-----BEGIN PUBLIC KEY-----", jwt_algorithms=["RS256"]
    )
    assert with_key.jwt_secret is None, "no signing key is invented when a public key verifies tokens"


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
