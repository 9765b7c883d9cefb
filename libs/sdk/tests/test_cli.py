"""The `tuneline` command line: catalogue freshness, token minting, `up` preflight errors."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tuneline.cli.main import app
from tuneline.common.catalogue import build_asyncapi, render_markdown
from tuneline.common.events import ALL_TOPICS

REPO = Path(__file__).resolve().parents[3]
runner = CliRunner()


def test_checked_in_event_catalogue_is_up_to_date() -> None:
    spec = json.loads((REPO / "docs" / "asyncapi.json").read_text())
    assert spec == build_asyncapi(), "docs/asyncapi.json is stale: run `tuneline catalogue`"
    assert (REPO / "docs" / "events.md").read_text() == render_markdown(), "docs/events.md is stale"


def test_asyncapi_documents_every_topic_with_its_payload_schema() -> None:
    spec = build_asyncapi()
    assert set(spec["channels"]) == {t.name for t in ALL_TOPICS}
    schemas = spec["components"]["schemas"]
    for topic in ALL_TOPICS:
        assert topic.model.__name__ in schemas
        assert "event_id" in schemas[topic.model.__name__]["properties"]


def test_catalogue_check_fails_on_a_stale_document(tmp_path: Path) -> None:
    (tmp_path / "asyncapi.json").write_text("{}")
    (tmp_path / "events.md").write_text("old")
    result = runner.invoke(app, ["catalogue", "--docs-dir", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "out of date" in result.output
    assert runner.invoke(app, ["catalogue", "--docs-dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["catalogue", "--docs-dir", str(tmp_path), "--check"]).exit_code == 0


def test_token_command_mints_a_token_the_stack_of_its_data_dir_accepts(monkeypatch, tmp_path) -> None:
    from tuneline.common.auth import AuthError, verify_token
    from tuneline.common.settings import ServiceSettings

    monkeypatch.delenv("TUNELINE_ENVIRONMENT", raising=False)
    monkeypatch.delenv("TUNELINE_JWT_SECRET", raising=False)
    args = ["token", "--roles", "ml_engineer,reviewer", "--subject", "ana", "--data-dir", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    principal = verify_token(ServiceSettings(state_dir=str(tmp_path)), token)  # what the stack's services load
    assert principal.subject == "ana"
    assert {r.value for r in principal.roles} == {"ml_engineer", "reviewer"}
    with pytest.raises(AuthError, match="Signature verification failed"):
        verify_token(ServiceSettings(state_dir=str(tmp_path / "another-stack")), token)


def test_token_command_refuses_an_unknown_role() -> None:
    result = runner.invoke(app, ["token", "--roles", "superuser"])
    assert result.exit_code == 2
    assert "unknown role(s): superuser" in result.output


def test_up_refuses_a_busy_port_and_names_it(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(
            app, ["up", "--data-dir", str(tmp_path), "--base-port", str(port), "--services", "intake"]
        )
    assert result.exit_code == 2
    assert f"port {port} (intake) is already in use" in result.output


def test_generated_configuration_and_api_docs_are_up_to_date() -> None:
    result = runner.invoke(app, ["docs", "--docs-dir", str(REPO / "docs"), "--check"])
    assert result.exit_code == 0, result.output


def test_demo_runs_the_demo_sizes_unless_told_otherwise(monkeypatch, tmp_path: Path) -> None:
    """`make demo`, the e2e test and the time-to-model bench must drive the same dataset and recipe."""
    from tuneline.cli.demo import command
    from tuneline.cli.demo.lifecycle import DemoSizes

    seen: list[DemoSizes] = []
    monkeypatch.setattr(command, "run_demo", lambda config, console, sizes, teardown: seen.append(sizes) or 0)
    assert runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--teardown"]).exit_code == 0
    assert runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--records", "80"]).exit_code == 0
    assert (seen[0].records, seen[0].epochs) == (DemoSizes().records, DemoSizes().epochs)
    assert (seen[1].records, seen[1].epochs) == (80, DemoSizes().epochs)


def test_status_lists_each_process_with_its_state_and_restarts(tmp_path: Path) -> None:
    processes = [
        {"name": "intake", "pid": 11, "log": "i.log", "state": "running", "restarts": 0, "last_exit_code": None},
        {"name": "monitoring", "pid": 12, "log": "m.log", "state": "crash-loop", "restarts": 4, "last_exit_code": 3},
    ]
    (tmp_path / "stack.json").write_text(json.dumps({"supervisor_pid": os.getpid(), "processes": processes}))
    result = CliRunner().invoke(app, ["status", "--data-dir", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output  # a crash-looping process makes the status a failure
    assert "crash-loop" in result.output and "monitoring" in result.output and " 4 " in result.output
    assert CliRunner().invoke(app, ["status", "--data-dir", str(tmp_path / "none")]).exit_code == 1
