from pathlib import Path

import pytest
from pydantic import ValidationError

from tuneline.common.settings import ConfigurationError, load_settings
from tuneline.registry.settings import DEV_KEY_PEPPER, RegistrySettings

STRONG = "a-real-secret-that-is-long-enough-for-anything"


def test_without_a_pepper_development_and_test_generate_one_every_process_of_the_state_directory_shares(
    tmp_path: Path,
) -> None:
    first = RegistrySettings(environment="test", state_dir=str(tmp_path))
    again = RegistrySettings(environment="development", state_dir=str(tmp_path))
    assert first.pepper() == again.pepper() != DEV_KEY_PEPPER.encode()  # issued keys keep working after a restart
    assert (tmp_path / "key-pepper").stat().st_mode & 0o777 == 0o600


def test_production_refuses_a_missing_pepper() -> None:
    with pytest.raises(ValidationError, match="TUNELINE_KEY_PEPPER must be set in production"):
        RegistrySettings(environment="production", jwt_secret=STRONG)


@pytest.mark.parametrize("weak", [DEV_KEY_PEPPER, "change-me", "x" * 31])
@pytest.mark.parametrize("environment", ["production", "test"])
def test_the_earlier_default_a_placeholder_or_a_short_pepper_is_refused(environment: str, weak: str) -> None:
    with pytest.raises(ConfigurationError, match="TUNELINE_KEY_PEPPER") as refused:
        load_settings(RegistrySettings, environment=environment, jwt_secret=STRONG, key_pepper=weak)
    assert weak not in str(refused.value) and refused.value.__cause__ is None  # the secret is never repeated


def test_a_strong_pepper_is_used_as_given() -> None:
    settings = RegistrySettings(environment="production", jwt_secret=STRONG, key_pepper=STRONG)
    assert settings.pepper() == STRONG.encode()


def test_pool_resources_are_a_json_object_of_custom_resources() -> None:
    settings = RegistrySettings(environment="test", serve_pool_resources='{"tuneline_worker": 1, "fast_disk": 0.5}')
    assert settings.pool_resources() == {"tuneline_worker": 1.0, "fast_disk": 0.5}
    assert RegistrySettings(environment="test").pool_resources() == {}


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("{tuneline_worker: 1}", "must be a JSON object"),
        ('["tuneline_worker"]', "must be a JSON object"),
        ('{"tuneline_worker": -1}', "must be a number >= 0"),
        ('{"tuneline_worker": "one"}', "must be a number >= 0"),
        ('{"CPU": 1}', "CPU and GPU have their own settings"),
    ],
)
def test_bad_pool_resources_stop_the_service_naming_the_variable(value: str, why: str) -> None:
    with pytest.raises(ConfigurationError, match="TUNELINE_SERVE_POOL_RESOURCES") as refused:
        load_settings(RegistrySettings, environment="test", serve_pool_resources=value)
    assert why in str(refused.value)
