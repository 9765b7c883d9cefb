"""Error text that leaves a process: no server paths, no validation inputs, no database values."""

from __future__ import annotations

import secrets
from typing import Literal

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tuneline.common.app import create_service_app
from tuneline.common.redact import PATH_PLACEHOLDER, describe_error, redact_paths, summarise_validation
from tuneline.common.settings import ServiceSettings
from tuneline.common.testing.helpers import bearer

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("adapter at file:///home/ana/.tuneline/objects/jobs/1/adapter", "adapter at "),
        ("No such file or directory: '/srv/tuneline/training/job-1/run/adapter_model.safetensors'", "No such file"),
        ("cannot read ./.tuneline/objects/datasets/x.jsonl", "cannot read "),
        ("config at ~/.cache/tuneline/models/smollm2", "config at "),
    ],
)
def test_server_paths_and_file_uris_are_replaced(text: str, kept: str) -> None:
    out = redact_paths(text)
    assert out.startswith(kept) and PATH_PLACEHOLDER in out
    assert "/tuneline" not in out and ".tuneline" not in out


@pytest.mark.parametrize(
    "text",
    [
        "GET http://registry:8105/models/m/versions/1 answered 503",
        "s3://tuneline/jobs/1/adapter is missing",
        "jobs/4f1c/adapter stored",
        "ratio 3/4 of the budget",
    ],
)
def test_urls_object_keys_and_fractions_are_left_alone(text: str) -> None:
    assert redact_paths(text) == text


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(ge=1)
    method: Literal["lora", "qlora"]
    name: str = Field(max_length=8)


def _invalid_form(marker: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Form.model_validate({"epochs": marker, "method": marker, "name": marker * 2, "unexpected": marker})
    return info.value


def test_a_validation_summary_names_fields_but_never_the_input() -> None:
    marker = "mk" + secrets.token_hex(8)
    exc = _invalid_form(marker)
    assert marker in str(exc), "pydantic's own text quotes the input: the reason this summary exists"
    summary = summarise_validation(exc)
    assert all(f"{field}:" in summary for field in ("epochs", "method", "name", "unexpected"))
    assert marker not in summary and marker not in describe_error(exc)


def test_other_errors_keep_their_message_without_paths() -> None:
    error = FileNotFoundError(2, "No such file or directory", "/var/lib/tuneline/objects/jobs/7/adapter")
    described = describe_error(error)
    assert described.startswith("FileNotFoundError: ") and "No such file or directory" in described
    assert "/var/lib" not in described


async def test_a_validation_error_answer_holds_no_input_value() -> None:
    marker = "mk" + secrets.token_hex(8)
    router = APIRouter()

    @router.post("/forms")
    async def create_form(form: Form) -> dict[str, int]:
        return {"epochs": form.epochs}

    settings = ServiceSettings(environment="test")
    app = create_service_app(settings, title="probe", description="probe", routers=[router])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe") as client:
        answer = await client.post(
            "/forms",
            json={"epochs": marker, "method": marker, "name": marker * 2, "unexpected": marker},
            headers=bearer(settings, "viewer"),
        )
    assert answer.status_code == 422
    body = answer.json()
    assert {e["field"] for e in body["errors"]} == {"epochs", "method", "name", "unexpected"}, "each field is named"
    assert marker not in answer.text


def test_a_logged_traceback_shows_frames_but_not_their_local_values(tmp_path) -> None:
    import structlog

    from tuneline.common.observability import configure_logging

    marker = "mk" + secrets.token_hex(8)
    log_file = tmp_path / "service.log"
    configure_logging("probe", "INFO", str(log_file))

    def handle(record: dict[str, str]) -> None:
        raise RuntimeError("handler failed")

    try:
        handle({"prompt": marker})
    except RuntimeError:
        structlog.get_logger().error("probe.failed", exc_info=True)
    logged = log_file.read_text()
    assert "RuntimeError" in logged and '"name": "handle"' in logged, "the traceback is still there"
    assert marker not in logged
