"""The demo's lifecycle driver: a refused step blocks the story there, later steps do not run, and say why."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import httpx

from tuneline.cli.demo.lifecycle import Lifecycle, People
from tuneline.sdk import Tuneline


def test_a_refused_step_blocks_the_story_and_no_later_step_touches_a_service(tmp_path: Path) -> None:
    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        return httpx.Response(403, json={"error": "forbidden", "detail": "requires one of: reviewer"})

    person = Tuneline("t", transport=httpx.MockTransport(refuse), max_retries=0)
    people = People(person, person, person, person, person, person)
    said: list[str] = []
    stages = Lifecycle(people, tmp_path, said.append).run()

    by_name = {s.name.split(":")[0]: s for s in stages}
    assert by_name["intake"].status == "blocked"
    assert "requires one of: reviewer" in by_name["intake"].detail
    assert by_name["second use case (summarisation)"].status == "blocked"  # independent: tried anyway
    skipped = [s.name for s in stages if s.status == "skipped"]
    assert skipped == ["data", "training", "evaluation", "release", "serving", "monitoring", "drift", "canary"]
    assert all("needs: intake" in s.detail for s in stages if s.status == "skipped")
    assert calls == ["POST /usecases", "POST /usecases"], "nothing after the refusal reached a service"


def test_training_waits_for_the_version_to_reach_the_training_service(tmp_path: Path) -> None:
    """dataset.ready is an event: right after the upload, training may still answer 404 for the new version."""
    from uuid import uuid4

    from tuneline.sdk.data import DatasetVersion

    posts: list[int] = []
    job = {
        "id": str(uuid4()),
        "usecase_id": str(uuid4()),
        "dataset_id": str(uuid4()),
        "dataset_version_id": str(uuid4()),
        "status": "queued",
        "base_model": "smollm2-135m-instruct",
        "total_steps": 40,
        "estimate": {"seconds": 100},
        "created_at": "2026-12-06T00:00:00+00:00",
    }

    def training(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/jobs":
            posts.append(1)
            if len(posts) < 3:
                return httpx.Response(404, json={"detail": "no dataset.ready seen", "field": "dataset_version_id"})
            return httpx.Response(201, json=job)
        return httpx.Response(200, json={**job, "status": "succeeded", "method_ran": "lora", "step": 40})

    person = Tuneline("t", transport=httpx.MockTransport(training), max_retries=0)
    lifecycle = Lifecycle(People(person, person, person, person, person, person), tmp_path, lambda _: None)
    lifecycle.outcome.dataset_version = DatasetVersion.model_construct(id=job["dataset_version_id"])
    lifecycle.training()
    assert lifecycle.stages[-1].status == "ok", lifecycle.stages[-1].detail
    assert len(posts) == 3 and lifecycle.outcome.job is not None


def test_the_training_stage_prints_the_jobs_phase_not_queued_step_0_while_replay_answers_are_generated(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Issue 19: the five minutes of general-replay generation read 'queued step 0/40'."""
    from tuneline.sdk.data import DatasetVersion

    monkeypatch.setattr("time.sleep", lambda _s: None)
    job = {
        "id": str(uuid4()),
        "usecase_id": str(uuid4()),
        "dataset_id": str(uuid4()),
        "dataset_version_id": str(uuid4()),
        "status": "queued",
        "phase": "queued",
        "base_model": "smollm2-135m-instruct",
        "total_steps": 40,
        "estimate": {"seconds": 210, "breakdown": ["includes generating 64 general-replay answers (~122 s)"]},
        "created_at": "2026-12-06T00:00:00+00:00",
    }
    states = [
        {"status": "running", "phase": "loading_model"},
        {"status": "running", "phase": "generating_replay", "phase_done": 8, "phase_total": 64, "eta_seconds": 300},
        {"status": "running", "phase": "generating_replay", "phase_done": 8, "phase_total": 64, "eta_seconds": 290},
        {"status": "running", "phase": "generating_replay", "phase_done": 16, "phase_total": 64, "eta_seconds": 250},
        {"status": "running", "phase": "training", "phase_done": 1, "phase_total": 40, "step": 1, "train_loss": 2.5},
        {"status": "running", "phase": "saving", "step": 40, "train_loss": 0.4, "eta_seconds": 5},
        {"status": "succeeded", "phase": "done", "step": 40, "method_ran": "lora", "train_loss": 0.4},
    ]

    def training(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json=job)
        return httpx.Response(200, json={**job, **states.pop(0)})

    said: list[str] = []
    person = Tuneline("t", transport=httpx.MockTransport(training), max_retries=0)
    lifecycle = Lifecycle(People(person, person, person, person, person, person), tmp_path, said.append)
    lifecycle.outcome.dataset_version = DatasetVersion.model_construct(id=job["dataset_version_id"])
    lifecycle.training()
    assert lifecycle.stages[-1].status == "ok", lifecycle.stages[-1].detail
    lines = [line.strip() for line in said]
    assert "includes generating 64 general-replay answers (~122 s)" in lines
    assert "running loading the base model" in lines
    assert "running generating general-replay answers 8/64, ~5 min left" in lines
    assert "running generating general-replay answers 16/64, ~4 min left" in lines
    assert len([line for line in lines if "answers 8/64" in line]) == 1  # a new ETA alone prints no new line
    assert "running step 1/40 loss 2.500" in lines
    assert "running saving the adapter, ~5 s left" in lines
    assert not any("queued step 0" in line for line in lines)
