"""The demo's lifecycle driver: a refused step blocks the story there, later steps do not run, and say why."""

from __future__ import annotations

from pathlib import Path

import httpx

from tuneline.cli.demo.lifecycle import Lifecycle, People
from tuneline.sdk import Tuneline


def test_a_refused_step_blocks_the_story_and_no_later_step_touches_a_service(tmp_path: Path) -> None:
    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        return httpx.Response(403, json={"error": "forbidden", "detail": "requires one of: reviewer"})

    person = Tuneline("t", transport=httpx.MockTransport(refuse), max_retries=0)
    people = People(person, person, person, person, person)
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
    lifecycle = Lifecycle(People(person, person, person, person, person), tmp_path, lambda _: None)
    lifecycle.outcome.dataset_version = DatasetVersion.model_construct(id=job["dataset_version_id"])
    lifecycle.training()
    assert lifecycle.stages[-1].status == "ok", lifecycle.stages[-1].detail
    assert len(posts) == 3 and lifecycle.outcome.job is not None
