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


def _dead_letter(**extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid4()),
        "created_at": NOW,
        "original_topic": "dataset.ready",
        "partition": 1,
        "offset": 7,
        "key": "k",
        "consumer_group": "training",
        "reason": "handler failed 3 times: RuntimeError: boom",
        "payload_bytes": 120,
        "replayed_at": None,
        "replay_count": 0,
        **extra,
    }


def test_deadletter_list_asks_every_service_and_shows_where_each_letter_lives(services) -> None:
    routes, calls = services
    letter = _dead_letter()
    routes[("GET", "/admin/deadletters")] = lambda r: httpx.Response(200, json=[letter] if r.url.port == 8103 else [])
    result = runner.invoke(app, ["deadletter", "list", "--pending"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert {c.url.port for c in calls} == {8101, 8102, 8103, 8104, 8105, 8106}
    assert all(c.url.params["replayed"] == "false" for c in calls)
    assert letter["id"] in result.output and "training" in result.output and "dataset.ready" in result.output


def test_deadletter_replay_of_one_letter_needs_its_service(services) -> None:
    routes, calls = services
    letter = _dead_letter(replay_count=1, replayed_at=NOW)
    routes[("POST", f"/admin/deadletters/{letter['id']}/replay")] = letter
    refused = runner.invoke(app, ["deadletter", "replay", letter["id"]])
    assert refused.exit_code == 2 and "--service" in refused.output
    result = runner.invoke(app, ["deadletter", "replay", letter["id"], "--service", "training"])
    assert result.exit_code == 0, result.output
    assert calls[-1].url.port == 8103 and "queued again for dataset.ready" in result.output


def test_deadletter_replay_all_reports_how_many_each_service_queued(services) -> None:
    routes, _ = services
    routes[("POST", "/admin/deadletters/replay")] = {"replayed": [str(uuid4()), str(uuid4())]}
    result = runner.invoke(app, ["deadletter", "replay", "--all", "-s", "data"])
    assert result.exit_code == 0, result.output
    assert "data: 2 dead letter(s) queued again" in result.output
    assert runner.invoke(app, ["deadletter", "replay", "--all", "-s", "nope"]).exit_code == 2


PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3 a report \x00\x01 binary\n%%EOF"


def _report_route(routes: dict[tuple[str, str], Any], evaluation_id: str) -> None:
    media = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

    def answer(request: httpx.Request) -> httpx.Response:
        fmt = request.url.params["format"]
        body = PDF_BYTES if fmt == "pdf" else f"{fmt} report".encode()
        return httpx.Response(200, content=body, headers={"content-type": media.get(fmt, "text/plain")})

    routes[("GET", f"/evaluations/{evaluation_id}/report")] = answer


def test_eval_report_writes_the_pdf_bytes_to_the_path_given(services, tmp_path: Path) -> None:
    routes, calls = services
    evaluation_id = str(uuid4())
    _report_route(routes, evaluation_id)
    out = tmp_path / "reports" / "march.pdf"
    out.parent.mkdir()
    result = runner.invoke(app, ["eval", "report", evaluation_id, "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == PDF_BYTES
    assert calls[-1].url.params["format"] == "pdf"
    assert f"({len(PDF_BYTES)} bytes, pdf)" in result.output
    assert [p.name for p in out.parent.iterdir()] == ["march.pdf"]  # no temporary file left beside it


def test_eval_report_takes_the_format_from_the_file_suffix_or_names_the_file_after_the_evaluation(
    services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes, calls = services
    evaluation_id = str(uuid4())
    _report_route(routes, evaluation_id)
    out = tmp_path / "metrics.XLSX"
    assert runner.invoke(app, ["eval", "report", evaluation_id, "-o", str(out)]).exit_code == 0
    assert calls[-1].url.params["format"] == "xlsx" and out.read_bytes() == b"xlsx report"
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["eval", "report", evaluation_id, "-f", "xlsx"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"evaluation-{evaluation_id}.xlsx").read_bytes() == b"xlsx report"


def test_eval_report_refuses_a_format_its_file_name_contradicts_before_asking(services, tmp_path: Path) -> None:
    _, calls = services
    out = tmp_path / "report.pdf"
    result = runner.invoke(app, ["eval", "report", str(uuid4()), "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 2
    assert "report.pdf names a .pdf file but --format is xlsx" in result.output
    unknown = runner.invoke(app, ["eval", "report", str(uuid4()), "--out", str(tmp_path / "report.docx")])
    assert unknown.exit_code == 2 and "cannot tell the report format from 'report.docx'" in unknown.output
    bad = runner.invoke(app, ["eval", "report", str(uuid4()), "--format", "docx"])
    assert bad.exit_code == 2 and "docx" in bad.output
    assert calls == [] and list(tmp_path.iterdir()) == []


def test_eval_report_refused_by_the_service_leaves_the_existing_file_untouched(services, tmp_path: Path) -> None:
    routes, _ = services
    evaluation_id = str(uuid4())
    routes[("GET", f"/evaluations/{evaluation_id}/report")] = httpx.Response(
        404, json={"error": "not_found", "detail": f"evaluation {evaluation_id} has no report (status running)"}
    )
    out = tmp_path / "report.pdf"
    out.write_bytes(b"last week's report")
    result = runner.invoke(app, ["eval", "report", evaluation_id, "--out", str(out)], env={"COLUMNS": "250"})
    assert result.exit_code == 1
    assert "has no report (status running)" in result.output
    assert out.read_bytes() == b"last week's report" and [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


DATASET = str(uuid4())


def _erasure(pending: list[str]) -> dict[str, Any]:
    services = {"data": {"status": "applied", "applied_at": NOW, "counts": {"versions": 2}}}
    services |= {s: {"status": "pending", "counts": {}} for s in pending}
    services |= {
        s: {"status": "applied", "applied_at": NOW, "counts": {"jobs": 1}}
        for s in ("training", "evaluation", "registry", "monitoring")
        if s not in pending
    }
    return {
        "id": str(uuid4()),
        "dataset_id": DATASET,
        "usecase_id": str(uuid4()),
        "team": "t",
        "scope": "dataset",
        "version_ids": [str(uuid4())],
        "version_numbers": [1, 2],
        "reason": "GDPR request",
        "requested_by": "alice",
        "requested_at": NOW,
        "services": services,
        "pending": pending,
        "complete": not pending,
    }


def test_data_erase_sends_the_reason_and_waits_for_every_service_to_confirm(services) -> None:
    routes, calls = services
    routes[("DELETE", f"/datasets/{DATASET}")] = httpx.Response(202, json=_erasure(["training", "monitoring"]))
    reports = iter([_erasure(["monitoring"]), _erasure([])])
    routes[("GET", f"/datasets/{DATASET}/erasure")] = lambda request: next(reports)
    result = runner.invoke(
        app, ["data", "erase", DATASET, "--reason", "GDPR request", "--yes", "--wait", "5"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    [delete] = [c for c in calls if c.method == "DELETE"]
    assert json.loads(delete.content) == {"reason": "GDPR request"}
    assert "complete" in result.output and "monitoring" in result.output and "jobs 1" in result.output


def test_data_erase_needs_a_reason_and_a_confirmation(services) -> None:
    _, calls = services
    assert runner.invoke(app, ["data", "erase", "d1", "--yes"]).exit_code != 0
    refused = runner.invoke(app, ["dataset", "erase", "d1", "--reason", "r", "--version", "2"], input="n\n")
    assert refused.exit_code == 1 and not calls


def test_usecase_erase_sends_the_reason_and_waits_for_its_datasets_erasures(services) -> None:
    routes, calls = services
    usecase_id, erasure_id = str(uuid4()), str(uuid4())
    dataset = {"id": DATASET, "usecase_id": usecase_id, "name": "tickets", "owner": "alice", "created_at": NOW}
    routes[("GET", "/datasets")] = [dataset]
    tombstone = {
        "id": str(uuid4()),
        "usecase_id": usecase_id,
        "status": "erased",
        "team": "t",
        "status_before": "deployed",
        "created_at": NOW,
        "reason": "GDPR request",
        "erased_by": "ed",
        "erased_at": NOW,
        "erased": {"usecases": 1, "comments": 2},
        "datasets": [],
    }
    noted = {**tombstone, "datasets": [{"dataset_id": DATASET, "erasure_id": erasure_id, "report": "/x"}]}
    routes[("DELETE", f"/usecases/{usecase_id}")] = httpx.Response(202, json=tombstone)
    routes[("GET", f"/usecases/{usecase_id}/erasure")] = noted
    routes[("GET", f"/datasets/{DATASET}/erasure")] = _erasure([])
    result = runner.invoke(
        app,
        ["usecase", "erase", usecase_id, "--reason", "GDPR request", "--yes", "--wait", "5"],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    [delete] = [c for c in calls if c.method == "DELETE"]
    assert json.loads(delete.content) == {"reason": "GDPR request"}
    assert f"use case {usecase_id} erased" in result.output and "was deployed" in result.output
    assert erasure_id in result.output and f"dataset {DATASET}: complete" in result.output


def test_usecase_erase_needs_a_reason_and_a_confirmation(services) -> None:
    _, calls = services
    assert runner.invoke(app, ["usecase", "erase", "u1", "--yes"]).exit_code != 0
    refused = runner.invoke(app, ["usecase", "erase", "u1", "--reason", "r"], input="n\n")
    assert refused.exit_code == 1 and not calls


def _export(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "6f1c0e0a-0000-4000-8000-000000000001",
        "model": "maint",
        "version": 2,
        "format": "gguf",
        "quantization": "Q8_0",
        "status": status,
        "created_at": NOW,
        **extra,
    }


GGUF_BYTES = b"GGUF" + bytes(range(256)) * 64
DONE = _export(
    "completed",
    size_bytes=len(GGUF_BYTES),
    sha256="ab" * 32,
    files=[{"path": "maint-v2-Q8_0.gguf", "size": len(GGUF_BYTES), "sha256": "ab" * 32}],
    verification={"prompts": 5, "matched": 4, "passed": False, "exact_expected": False, "token_agreement": 0.95},
)


def test_model_export_waits_reports_the_check_honestly_and_downloads_the_file(services, tmp_path: Path) -> None:
    routes, calls = services
    base = "/models/maint/versions/2/exports"
    routes[("POST", base)] = httpx.Response(202, json=_export("queued"))
    states = iter([_export("running"), DONE, DONE])
    routes[("GET", f"{base}/{DONE['id']}")] = lambda request: httpx.Response(200, json=next(states))
    routes[("GET", f"{base}/{DONE['id']}/download")] = httpx.Response(200, content=GGUF_BYTES)
    result = runner.invoke(
        app,
        ["model", "export", "maint", "2", "-f", "gguf", "-q", "Q8_0", "--wait", "-o", str(tmp_path)],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(calls[0].content) == {"format": "gguf", "quantization": "Q8_0"}
    assert "4/5 prompts differs from the served model on some" in result.output
    assert "quantized: differences are expected" in result.output
    assert (tmp_path / "maint-v2-Q8_0.gguf").read_bytes() == GGUF_BYTES
    assert [p.name for p in tmp_path.iterdir()] == ["maint-v2-Q8_0.gguf"]  # no partial file left


def test_model_export_refused_names_the_field(services) -> None:
    routes, _ = services
    refusal = {"error": "invalid_input", "detail": "quantization 'Q4_K_M' is not supported", "field": "quantization"}
    routes[("POST", "/models/maint/versions/2/exports")] = httpx.Response(422, json=refusal)
    result = runner.invoke(app, ["model", "export", "maint", "2", "-q", "Q4_K_M"], env={"COLUMNS": "250"})
    assert result.exit_code == 1 and "(field: quantization)" in result.output


def test_model_exports_lists_status_size_and_verification(services) -> None:
    routes, _ = services
    routes[("GET", "/models/maint/versions/2/exports")] = [DONE, _export("failed", format="merged", reason="boom")]
    result = runner.invoke(app, ["model", "exports", "maint", "2"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "4/5" in result.output and "0.950" in result.output and "boom" in result.output


def test_model_download_of_one_file_sends_its_name_and_a_refusal_leaves_nothing(services, tmp_path: Path) -> None:
    routes, calls = services
    path = f"/models/maint/versions/2/exports/{DONE['id']}/download"
    routes[("GET", path)] = httpx.Response(200, content=b'{"model_type": "llama"}')
    out = tmp_path / "config.json"
    result = runner.invoke(
        app, ["model", "download", "maint", "2", DONE["id"], "--file", "config.json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert calls[-1].url.params["file"] == "config.json" and out.read_bytes() == b'{"model_type": "llama"}'
    routes[("GET", path)] = httpx.Response(409, json={"error": "conflict", "detail": "export is running"})
    again = tmp_path / "again.gguf"
    result = runner.invoke(app, ["model", "download", "maint", "2", DONE["id"], "-o", str(again)])
    assert result.exit_code == 1 and "export is running" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]


def test_study_show_prints_each_trial_its_state_and_the_best(services) -> None:
    routes, _ = services
    job = str(uuid4())
    best = {"number": 0, "state": "complete", "job_id": job, "job_status": "succeeded",
            "params": {"learning_rate": 0.00099}, "value": 2.1234,
            "curve": [{"step": 3, "val_loss": 2.4}, {"step": 6, "val_loss": 2.1234}]}  # fmt: skip
    pruned = {"number": 1, "state": "pruned", "job_id": str(uuid4()), "job_status": "cancelled",
              "stop_reason": "pruned", "params": {"learning_rate": 5.3e-5},
              "curve": [{"step": 3, "val_loss": 2.9}]}  # fmt: skip
    skipped = {"number": 2, "state": "skipped", "note": "not started: over the cost cap"}
    study = {"id": str(uuid4()), "usecase_id": str(uuid4()), "dataset_version_id": str(uuid4()),
             "status": "succeeded", "n_trials": 3, "trials_started": 2, "seed": 11, "created_at": NOW,
             "trials": [best, pruned, skipped], "best_trial": best, "stop_reason": "cost cap reached"}  # fmt: skip
    routes[("GET", f"/studies/{study['id']}")] = study
    result = runner.invoke(app, ["study", "show", study["id"], "--curves"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert f"best: trial 0, val loss 2.1234, job {job}" in result.output
    assert "pruned" in result.output and "over the cost cap" in result.output
    assert "trial 1 (pruned): 3:2.9000" in result.output and "stopped: cost cap reached" in result.output


def test_study_create_sends_the_search_space_and_refuses_broken_json(services) -> None:
    routes, calls = services
    created = {"id": str(uuid4()), "usecase_id": str(uuid4()), "dataset_version_id": str(uuid4()),
               "status": "running", "n_trials": 4, "trials_started": 1, "seed": 7, "created_at": NOW}  # fmt: skip
    routes[("POST", "/studies")] = httpx.Response(201, json=created)
    search = '{"learning_rate": {"low": 1e-5, "high": 1e-3}}'
    args = ["study", "create", created["dataset_version_id"], "--search", search, "--trials", "4", "--max-cost", "2"]
    result = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    body = json.loads(calls[0].content)
    assert body["search_space"]["learning_rate"] == {"low": 1e-5, "high": 1e-3}
    assert (body["n_trials"], body["max_cost_usd"]) == (4, 2.0)
    assert f"study {created['id']} running: 1 of 4 trials queued (seed 7)" in result.output
    broken = runner.invoke(app, ["study", "create", created["dataset_version_id"], "--search", "{oops"])
    assert broken.exit_code == 2 and "--search: not valid JSON" in broken.output


def _model_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text('{"model_type": "llama"}')
    (path / "model.safetensors").write_bytes(b"\x00" * 64)
    return path


def test_model_upload_base_writes_the_files_and_their_manifest_that_a_worker_checks(tmp_path: Path) -> None:
    from tuneline.common.artifacts import MANIFEST, Manifest, build_manifest, fetch_model_dir

    src = _model_dir(tmp_path / "smollm2")
    target = tmp_path / "shared" / "models" / "smollm2"
    result = runner.invoke(app, ["model", "upload-base", str(src), target.as_uri()], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "2 files" in result.output and target.as_uri() in result.output
    assert Manifest.parse((target / MANIFEST).read_bytes(), target.as_uri()) == build_manifest(src)
    assert fetch_model_dir(target.as_uri(), None, tmp_path / "cache") == target


def test_model_upload_base_refuses_a_directory_without_config_and_names_a_missing_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["model", "upload-base", str(empty), "s3://models/x"], env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "no config.json" in result.output
    monkeypatch.delenv("TUNELINE_S3_ENDPOINT", raising=False)
    src = _model_dir(tmp_path / "m")
    result = runner.invoke(app, ["model", "upload-base", str(src), "s3://models/x"], env={"COLUMNS": "250"})
    assert result.exit_code == 1 and "TUNELINE_S3_ENDPOINT must be set" in result.output
