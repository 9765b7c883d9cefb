"""The resource commands of the `tuneline` CLI, with the SDK pointed at an in-memory transport."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from typer.testing import CliRunner

from tuneline.cli.main import app
from tuneline.sdk import Tuneline

NOW = "2025-05-01T12:00:00+00:00"
runner = CliRunner()


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch):
    """Answers by (method, path); every command's SDK goes to it."""
    routes: dict[tuple[str, str], Any] = {}
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = routes.get((request.method, request.url.path))
        if answer is None:
            return httpx.Response(404, json={"error": "not_found", "detail": f"no {request.url.path}"})
        answer = answer(request) if callable(answer) else answer
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)

    sdk = Tuneline("tok", transport=httpx.MockTransport(handler), max_retries=0)
    monkeypatch.setattr(Tuneline, "from_env", classmethod(lambda cls, *a, **k: sdk))
    return routes, calls


def _usecase(**extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid4()),
        "title": "Classify maintenance log entries",
        "status": "draft",
        "submitter": "maria",
        "created_at": NOW,
        "updated_at": NOW,
        **extra,
    }


def test_usecase_list_shows_the_portfolio_in_a_table(services) -> None:
    routes, _ = services
    item = _usecase(status="approved", rice_score=42.5, recommended_approach="fine_tuning")
    routes[("GET", "/usecases")] = {"items": [item], "total": 1, "limit": 50, "offset": 0}
    result = runner.invoke(app, ["usecase", "list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert item["id"] in result.output and "42.5" in result.output and "fine_tuning" in result.output


def test_usecase_create_sends_the_file_and_submits_when_asked(services, tmp_path: Path) -> None:
    routes, calls = services
    created = _usecase()
    routes[("POST", "/usecases")] = httpx.Response(201, json=created)
    routes[("POST", f"/usecases/{created['id']}/submit")] = {**created, "status": "submitted"}
    form = tmp_path / "form.json"
    form.write_text(json.dumps({"title": "Classify maintenance log entries"}))
    result = runner.invoke(app, ["usecase", "create", str(form), "--submit"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert json.loads(calls[0].content) == {"title": "Classify maintenance log entries"}
    assert f"submitted: Classify maintenance log entries — id {created['id']}" in result.output


def test_usecase_create_names_the_file_and_line_of_broken_json(services, tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text('{\n  "title": "x",\n  oops\n}')
    result = runner.invoke(app, ["usecase", "create", str(form)], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "form.json: not valid JSON (line 3" in result.output


def test_a_refusal_prints_the_services_detail_and_field_and_exits_1(services) -> None:
    routes, _ = services
    uid = str(uuid4())
    routes[("POST", f"/usecases/{uid}/submit")] = httpx.Response(
        422, json={"error": "invalid_input", "detail": "examples: at least 3 pairs", "field": "examples"}
    )
    result = runner.invoke(app, ["usecase", "submit", uid], env={"COLUMNS": "250"})
    assert result.exit_code == 1
    assert "examples: at least 3 pairs" in result.output and "(field: examples)" in result.output


def test_job_watch_follows_the_stream_and_prints_the_final_job(services) -> None:
    routes, _ = services
    job_id = str(uuid4())
    job = {
        "id": job_id,
        "usecase_id": str(uuid4()),
        "dataset_id": str(uuid4()),
        "dataset_version_id": str(uuid4()),
        "status": "running",
        "base_model": "smollm2-135m-instruct",
        "step": 0,
        "total_steps": 2,
        "created_at": NOW,
    }
    states = iter([job, {**job, "status": "succeeded", "step": 2, "train_loss": 0.125}])
    routes[("GET", f"/jobs/{job_id}")] = lambda _: next(states)
    routes[("GET", f"/jobs/{job_id}/stream")] = httpx.Response(
        200,
        text=f'event: progress\ndata: {{"step": 2, "train_loss": 0.125, "recorded_at": "{NOW}"}}\n\n'
        'event: status\ndata: {"status": "succeeded", "step": 2}\n\n',
        headers={"content-type": "text/event-stream"},
    )
    result = runner.invoke(app, ["job", "watch", job_id], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output and "train loss 0.125" in result.output


def test_deploy_weight_sets_the_canary_share(services) -> None:
    routes, calls = services
    routes[("PUT", "/models/maint/deployment/weight")] = {
        "model": "maint",
        "deployment_id": str(uuid4()),
        "status": "healthy",
        "stable_version": 1,
        "canary_version": 2,
        "canary_weight": 0.5,
        "updated_at": NOW,
        "endpoint": "http://s/maint/v1",
    }
    result = runner.invoke(app, ["deploy", "weight", "maint", "0.5"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert json.loads(calls[0].content) == {"canary_weight": 0.5}
    assert "canary v2 at 50%" in result.output


def test_model_key_creates_a_fine_tuning_key_without_models(services) -> None:
    routes, calls = services
    created = {
        "prefix": "abcd1234",
        "name": "ci",
        "owner": "mike",
        "models": [],
        "fine_tuning_roles": ["data_owner", "ml_engineer"],
        "requests_per_minute": 600,
        "created_at": NOW,
        "key": "tlk_abcd1234_" + "s" * 40,
    }
    routes[("POST", "/models/keys")] = httpx.Response(201, json=created)
    result = runner.invoke(app, ["model", "key", "--fine-tuning", "--name", "ci"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert json.loads(calls[0].content) == {
        "name": "ci",
        "models": [],
        "requests_per_minute": 600,
        "fine_tuning": True,
    }
    assert "fine-tuning as data_owner, ml_engineer" in result.output and created["key"] in result.output


def test_model_key_needs_a_model_or_fine_tuning(services) -> None:
    result = runner.invoke(app, ["model", "key"], env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "name at least one model, or pass --fine-tuning" in result.output
