"""The embedded stack's signing secret: generated once in its data directory, the same for every process it starts
and for the tokens the demo and `tuneline token` mint; an operator's secret wins; a weak one stops `up` early."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tuneline.cli import stack as stack_mod
from tuneline.common.auth import mint_token, verify_token
from tuneline.common.infra import InfraError
from tuneline.common.settings import JWT_SECRET_FILE, ServiceSettings

pytestmark = pytest.mark.unit


def _service_settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ServiceSettings:
    """What a service process started with `env` loads."""
    for name in list(os.environ):
        if name.startswith("TUNELINE_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("TUNELINE_"):
            monkeypatch.setenv(name, value)
    return ServiceSettings()


def test_services_and_minted_tokens_share_the_secret_generated_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUNELINE_JWT_SECRET", raising=False)
    stack = stack_mod.Stack(stack_mod.StackConfig(data_dir=tmp_path / "stack"))
    env = stack.env()
    assert env["TUNELINE_STATE_DIR"] == str((tmp_path / "stack").resolve())
    minter = stack.token_settings()
    secret_file = tmp_path / "stack" / JWT_SECRET_FILE
    assert minter.jwt_secret is not None and minter.jwt_secret.get_secret_value() == secret_file.read_text().strip()
    assert secret_file.stat().st_mode & 0o777 == 0o600
    token = mint_token(minter, "maria", ["data_owner"])
    service = _service_settings(env, monkeypatch)
    assert verify_token(service, token).subject == "maria"
    assert stack_mod.Stack(stack_mod.StackConfig(data_dir=tmp_path / "stack")).token_settings().jwt_secret == (
        minter.jwt_secret
    ), "a restarted stack keeps its secret (tokens already handed out stay valid)"


def test_the_operators_secret_reaches_every_process_and_signs_the_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = "an-operator-chosen-secret-of-48-bytes-0123456789"
    monkeypatch.setenv("TUNELINE_JWT_SECRET", own)
    stack = stack_mod.Stack(stack_mod.StackConfig(data_dir=tmp_path / "stack"))
    assert stack.env()["TUNELINE_JWT_SECRET"] == own
    minter = stack.token_settings()
    assert minter.jwt_secret is not None and minter.jwt_secret.get_secret_value() == own
    assert not (tmp_path / "stack" / JWT_SECRET_FILE).exists(), "nothing is generated when a secret is given"


def test_up_on_a_reachable_host_with_a_weak_secret_stops_before_starting_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNELINE_JWT_SECRET", "change-me")
    monkeypatch.setenv("TUNELINE_ENVIRONMENT", "development")
    config = stack_mod.StackConfig(data_dir=tmp_path / "stack", host="0.0.0.0")
    with pytest.raises(InfraError, match="TUNELINE_JWT_SECRET") as info:
        stack_mod.start(config, lambda _: None)
    assert "TUNELINE_HTTP_HOST" in str(info.value)
    assert not (tmp_path / "stack" / "postgres").exists(), "no PostgreSQL (or anything else) was started"
