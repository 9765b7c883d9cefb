"""The typed per-service clients, against an in-memory transport that plays each service's REST contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tuneline.sdk import ApiError, Tuneline
from tuneline.sdk.sse import parse_sse

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC).isoformat()


class FakeServices:
    """Routes (method, host, path) to handlers and records every request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str, str], Any] = {}
        self.calls: list[httpx.Request] = []

    def on(self, method: str, url: str, handler: Any) -> None:
        parsed = httpx.URL(url)
        self.routes[(method, parsed.host, parsed.path)] = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        handler = self.routes.get((request.method, request.url.host, request.url.path))
        if handler is None:
            return httpx.Response(404, json={"error": "not_found", "detail": f"no route {request.url.path}"})
        answer = handler(request) if callable(handler) else handler
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)


URLS = {s: f"http://{s}" for s in ("intake", "data", "training", "evaluation", "registry", "monitoring")}


def _sdk(fake: FakeServices, token: str = "tok") -> Tuneline:  # noqa: S107 - a fake token
    return Tuneline(token, URLS, transport=httpx.MockTransport(fake), max_retries=0)


def _usecase(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(extra.pop("id", uuid4())),
        "title": "t",
        "status": status,
        "submitter": "maria",
        **extra,
        "created_at": NOW,
        "updated_at": NOW,
    }


def test_from_env_takes_token_and_each_service_url_and_keeps_defaults_for_the_rest() -> None:
    sdk = Tuneline.from_env({"TUNELINE_TOKEN": "abc", "TUNELINE_DATA_URL": "http://data.internal:9000"})
    assert sdk.token == "abc"
    assert sdk.urls["data"] == "http://data.internal:9000"
    assert sdk.urls["intake"] == "http://127.0.0.1:8101"
    assert sdk.serving_url == "http://127.0.0.1:8000"


def test_unknown_service_in_urls_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown service\\(s\\) in urls: trainer"):
        Tuneline("t", {"trainer": "http://x"})


def test_every_request_carries_the_bearer_token_of_its_person() -> None:
    fake = FakeServices()
    uid = uuid4()
    fake.on("GET", f"http://intake/usecases/{uid}", _usecase("draft", id=uid))
    _sdk(fake, "reviewer-token").intake.get(uid)
    assert fake.calls[0].headers["Authorization"] == "Bearer reviewer-token"


def test_approve_starts_the_review_first_when_the_use_case_is_only_submitted() -> None:
    fake = FakeServices()
    uid = uuid4()
    state = {"status": "submitted"}

    def start_review(_: httpx.Request) -> dict[str, Any]:
        state["status"] = "in_review"
        return _usecase("in_review", id=uid)

    fake.on("GET", f"http://intake/usecases/{uid}", lambda _: _usecase(state["status"], id=uid))
    fake.on("POST", f"http://intake/usecases/{uid}/start-review", start_review)
    fake.on(
        "POST",
        f"http://intake/usecases/{uid}/approve",
        lambda r: _usecase("approved", id=uid, decision_reason=json.loads(r.content)["reason"]),
    )
    approved = _sdk(fake).intake.approve(uid, reason="good KPI")
    assert approved.status == "approved"
    assert approved.decision_reason == "good KPI"
    assert [c.url.path.rsplit("/", 1)[-1] for c in fake.calls] == [str(uid), "start-review", "approve"]


def test_portfolio_follows_every_page_until_the_total() -> None:
    fake = FakeServices()
    items = [_usecase("approved") | {"stage": None} for _ in range(5)]

    def page(request: httpx.Request) -> dict[str, Any]:
        limit, offset = int(request.url.params["limit"]), int(request.url.params.get("offset", 0))
        return {"items": items[offset : offset + limit], "total": 5, "limit": limit, "offset": offset}

    fake.on("GET", "http://intake/usecases", page)
    got = _sdk(fake).intake.portfolio(page_size=2, status="approved")
    assert [str(u.id) for u in got] == [i["id"] for i in items]
    assert [c.url.params["offset"] for c in fake.calls[1:]] == ["2", "4"]
    assert fake.calls[0].url.params["status"] == "approved"


def _version(dataset_id: str, number: int = 1) -> dict[str, Any]:
    return {
        "id": str(uuid4()),
        "dataset_id": dataset_id,
        "number": number,
        "operation": "upload",
        "status": "ready",
        "record_format": "classification",
        "record_count": 3,
        "content_hash": "h",
        "quality_score": 91.5,
        "created_by": "maria",
        "created_at": NOW,
    }


def _upload(dataset_id: str, upload_id: str, status: str, version_id: str | None = None) -> dict[str, Any]:
    return {
        "id": upload_id,
        "dataset_id": dataset_id,
        "filename": "logs.jsonl",
        "status": status,
        "version_id": version_id,
    }


def test_upload_sends_the_file_in_parts_and_reports_progress_after_each(tmp_path) -> None:
    fake = FakeServices()
    ds, up = str(uuid4()), str(uuid4())
    received: dict[int, bytes] = {}
    version = _version(ds)

    def put(request: httpx.Request) -> dict[str, Any]:
        received[int(request.url.path.rsplit("/", 1)[-1])] = request.content
        return _upload(ds, up, "receiving")

    fake.on(
        "POST", f"http://data/datasets/{ds}/uploads", lambda r: httpx.Response(201, json=_upload(ds, up, "receiving"))
    )
    for n in (1, 2, 3):
        fake.on("PUT", f"http://data/datasets/{ds}/uploads/{up}/parts/{n}", put)
    fake.on(
        "POST",
        f"http://data/datasets/{ds}/uploads/{up}/complete",
        lambda r: httpx.Response(201, json={"upload": _upload(ds, up, "done", version["id"]), "version": version}),
    )
    content = bytes(range(256)) * 10  # 2560 bytes → parts of 1024, 1024, 512
    path = tmp_path / "logs.jsonl"
    path.write_bytes(content)
    seen: list[tuple[int, int]] = []
    result = _sdk(fake).data.upload(
        ds, path, split="80/10/10", part_bytes=1024, progress=lambda s, t: seen.append((s, t))
    )
    assert seen == [(1024, 2560), (2048, 2560), (2560, 2560)]
    assert b"".join(received[n] for n in sorted(received)) == content
    start = json.loads(fake.calls[0].content)
    assert start["filename"] == "logs.jsonl" and start["split"] == "80/10/10"
    assert result.version is not None and result.version.quality_score == 91.5


def test_a_queued_upload_is_polled_until_its_version_exists() -> None:
    fake = FakeServices()
    ds, up = str(uuid4()), str(uuid4())
    version = _version(ds)
    polls = {"n": 0}

    def state(_: httpx.Request) -> dict[str, Any]:
        polls["n"] += 1
        return _upload(ds, up, "done", version["id"]) if polls["n"] >= 2 else _upload(ds, up, "processing")

    fake.on(
        "POST", f"http://data/datasets/{ds}/uploads", lambda r: httpx.Response(201, json=_upload(ds, up, "receiving"))
    )
    fake.on("PUT", f"http://data/datasets/{ds}/uploads/{up}/parts/1", _upload(ds, up, "receiving"))
    fake.on(
        "POST",
        f"http://data/datasets/{ds}/uploads/{up}/complete",
        lambda r: httpx.Response(202, json={"upload": _upload(ds, up, "queued")}),
    )
    fake.on("GET", f"http://data/datasets/{ds}/uploads/{up}", state)
    fake.on("GET", f"http://data/datasets/{ds}/versions", [_version(ds, 0), version])
    result = _sdk(fake).data.upload(ds, b'{"text": "x", "label": "y"}\n', filename="x.jsonl")
    assert polls["n"] == 2
    assert result.version is not None and str(result.version.id) == version["id"]


def test_uploading_bytes_without_a_file_name_is_refused_naming_filename() -> None:
    with pytest.raises(ValueError, match="filename is required"):
        _sdk(FakeServices()).data.upload(uuid4(), b"data")


def test_a_rejected_upload_raises_with_the_services_detail_and_field() -> None:
    fake = FakeServices()
    ds = str(uuid4())
    fake.on(
        "POST",
        f"http://data/datasets/{ds}/uploads",
        httpx.Response(422, json={"error": "invalid_input", "detail": "unsupported file type", "field": "filename"}),
    )
    with pytest.raises(ApiError) as err:
        _sdk(fake).data.upload(ds, b"x", filename="x.exe")
    assert err.value.status == 422 and err.value.field == "filename"
    assert "unsupported file type" in str(err.value)


def _job(status: str, step: int) -> dict[str, Any]:
    return {
        "id": str(uuid4()),
        "usecase_id": str(uuid4()),
        "dataset_id": str(uuid4()),
        "dataset_version_id": str(uuid4()),
        "status": status,
        "base_model": "smollm2-135m-instruct",
        "step": step,
        "total_steps": 30,
        "created_at": NOW,
    }


def test_job_stream_yields_loss_points_and_status_changes_in_order() -> None:
    fake = FakeServices()
    job_id = uuid4()
    body = (
        'event: status\ndata: {"status": "running", "step": 0}\n\n'
        'event: phase\ndata: {"phase": "generating_replay", "done": 8, "total": 64, "eta_seconds": 300.0}\n\n'
        f'event: progress\ndata: {{"step": 10, "epoch": 0.3, "train_loss": 2.5, "recorded_at": "{NOW}"}}\n\n'
        ": keep-alive comment\n\n"
        f'event: progress\ndata: {{"step": 20, "epoch": 0.6, "train_loss": 0.75, "recorded_at": "{NOW}"}}\n\n'
        'event: status\ndata: {"status": "succeeded", "step": 30}\n\n'
    )
    fake.on(
        "GET",
        f"http://training/jobs/{job_id}/stream",
        httpx.Response(200, text=body, headers={"content-type": "text/event-stream"}),
    )
    updates = list(_sdk(fake).training.stream(job_id))
    assert [(u.kind, u.status or (u.point.train_loss if u.point else None)) for u in updates] == [
        ("status", "running"),
        ("phase", None),
        ("progress", 2.5),
        ("progress", 0.75),
        ("status", "succeeded"),
    ]
    assert (updates[1].phase, updates[1].done, updates[1].total, updates[1].eta_seconds) == (
        "generating_replay",
        8,
        64,
        300.0,
    )


def test_job_list_reads_offset_pages_until_a_short_page() -> None:
    fake = FakeServices()
    jobs = [_job("queued", 0) for _ in range(5)]

    def page(request: httpx.Request) -> list[dict[str, Any]]:
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        return jobs[offset : offset + limit]

    fake.on("GET", "http://training/jobs", page)
    got = _sdk(fake).training.list_jobs(limit=None, page_size=2, status="queued")
    assert len(got) == 5
    assert [c.url.params["offset"] for c in fake.calls] == ["0", "2", "4"]
    assert fake.calls[0].url.params["status"] == "queued"


def test_wait_returns_the_final_job_and_reports_each_state() -> None:
    fake = FakeServices()
    job = _job("running", 10)
    states = iter([job, {**job, "step": 20}, {**job, "status": "succeeded", "step": 30}])
    fake.on("GET", f"http://training/jobs/{job['id']}", lambda _: next(states))
    seen: list[int] = []
    final = _sdk(fake).training.wait(job["id"], poll_s=0, on_update=lambda j: seen.append(j.step))
    assert final.status == "succeeded" and final.finished
    assert seen == [10, 20, 30]


def test_monitoring_current_adds_requests_over_versions_and_arms() -> None:
    fake = FakeServices()
    item = {"model": "m", "version": "1", "arm": "stable", "figures": {"requests": 90}}
    fake.on(
        "GET",
        "http://monitoring/metrics/models/m/current",
        {"start": NOW, "end": NOW, "items": [item, {**item, "arm": "canary", "figures": {"requests": 10}}]},
    )
    assert _sdk(fake).monitoring.current("m").total_requests() == 100


def test_inference_uses_the_model_key_not_the_persons_token() -> None:
    fake = FakeServices()
    fake.on(
        "POST",
        "http://serving/maint/v1/chat/completions",
        lambda r: {
            "id": "c1",
            "model": json.loads(r.content)["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hydraulic"}}],
        },
    )
    sdk = _sdk(fake, "person-token")
    answer = sdk.inference("tl-key-123", url="http://serving/maint/v1").chat(
        "maint", [{"role": "user", "content": "x"}]
    )
    assert answer.text == "hydraulic" and answer.model == "maint"
    assert fake.calls[0].headers["Authorization"] == "Bearer tl-key-123"


def test_sse_parser_joins_multi_line_data_and_ignores_comments() -> None:
    events = list(parse_sse(["event: note", "data: a", "data: b", "", ": ping", "", "data: last"]))
    assert [(e.event, e.data) for e in events] == [("note", "a\nb"), ("message", "last")]


def test_deploying_a_canary_sends_its_weight_and_a_refusal_names_why() -> None:
    fake = FakeServices()
    deployment = {
        "model": "m",
        "deployment_id": str(uuid4()),
        "status": "healthy",
        "stable_version": 1,
        "canary_version": 2,
        "canary_weight": 0.1,
        "updated_at": NOW,
    }
    fake.on("POST", "http://registry/models/m/deployment", deployment)
    fake.on(
        "PUT",
        "http://registry/models/m/deployment/weight",
        httpx.Response(409, json={"error": "conflict", "detail": "no canary is deployed; start a canary first"}),
    )
    sdk = _sdk(fake)
    assert sdk.registry.deploy("m", 2, canary_weight=0.1).canary_weight == 0.1
    assert json.loads(fake.calls[0].content) == {"version": 2, "canary_weight": 0.1}
    with pytest.raises(ApiError, match="no canary is deployed"):
        sdk.registry.set_canary_weight("m", 0.5)


def test_save_report_writes_the_bytes_in_the_format_of_the_file_name(tmp_path) -> None:
    fake = FakeServices()
    eid = uuid4()
    fake.on("GET", f"http://evaluation/evaluations/{eid}/report", lambda r: httpx.Response(200, content=b"%PDF-x"))
    sdk = _sdk(fake)
    written = sdk.evaluation.save_report(eid, tmp_path / "eval.pdf")
    assert written.read_bytes() == b"%PDF-x" and fake.calls[-1].url.params["format"] == "pdf"
    with pytest.raises(ValueError, match=r"must be one of html, json, pdf, xlsx, got 'docx'"):
        sdk.evaluation.report(eid, "docx")
    with pytest.raises(ValueError, match=r"cannot tell the report format from 'eval\.txt'"):
        sdk.evaluation.save_report(eid, tmp_path / "eval.txt")
    assert len(fake.calls) == 1


def _study(status: str = "running", **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid4()),
        "usecase_id": str(uuid4()),
        "dataset_version_id": str(uuid4()),
        "status": status,
        "n_trials": 4,
        "trials_started": 2,
        "seed": 11,
        "created_at": NOW,
        **extra,
    }


def test_create_study_sends_the_search_space_and_leaves_unset_options_to_the_service() -> None:
    fake = FakeServices()
    version = uuid4()
    fake.on("POST", "http://training/studies", httpx.Response(201, json=_study()))
    study = _sdk(fake).training.create_study(
        version, {"learning_rate": {"low": 1e-5, "high": 1e-3}}, n_trials=4, max_cost_usd=2.5, seed=11
    )
    assert study.status == "running" and not study.finished
    body = json.loads(fake.calls[0].content)
    assert body["dataset_version_id"] == str(version)
    assert body["search_space"] == {"learning_rate": {"low": 1e-5, "high": 1e-3}}
    assert (body["n_trials"], body["max_cost_usd"], body["seed"]) == (4, 2.5, 11)
    assert "pruning" not in body and "base_model" not in body


def test_get_study_reads_every_trial_with_its_curve_and_the_best_one() -> None:
    fake = FakeServices()
    trial = {"number": 0, "state": "complete", "job_id": str(uuid4()), "params": {"learning_rate": 9.9e-4},
             "value": 2.1, "curve": [{"step": 3, "val_loss": 2.4}, {"step": 6, "val_loss": 2.1}]}  # fmt: skip
    pruned = {"number": 1, "state": "pruned", "stop_reason": "pruned", "curve": [{"step": 3, "val_loss": 2.9}]}
    study = _study("succeeded", trials=[trial, pruned], best_trial=trial, best_value=2.1, best_trial_number=0)
    fake.on("GET", f"http://training/studies/{study['id']}", study)
    got = _sdk(fake).training.get_study(study["id"])
    assert got.finished and got.best_trial is not None and got.best_trial.value == 2.1
    assert [p.val_loss for p in got.trials[0].curve] == [2.4, 2.1]
    assert (got.trials[1].state, got.trials[1].stop_reason) == ("pruned", "pruned")
