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


class _CanaryServices:
    """The services the canary leg talks to, as a person's HTTP client sees them: training queued the job that
    monitoring's retraining decision asked for, it succeeds, the registry registers it as v2, serves it as a 10%
    canary next to v1 (starting, then healthy) and promotes it; answers come from either arm."""

    NOW = "2026-12-07T00:00:00+00:00"

    def __init__(self, name: str, first_job: dict) -> None:  # type: ignore[type-arg]
        self.name, self.first = name, first_job
        self.retrain = {**first_job, "id": str(uuid4()), "source": "retrain.requested", "status": "queued"}
        self.calls: list[str] = []
        self.deployment: dict = {}  # type: ignore[type-arg]
        self.health_polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        import json

        path, method = request.url.path, request.method
        self.calls.append(f"{method} {path}")
        name = self.name
        if (method, path) == ("GET", "/jobs"):
            return httpx.Response(200, json=[self.retrain, self.first])
        if (method, path) == ("GET", f"/jobs/{self.retrain['id']}"):
            return httpx.Response(200, json={**self.retrain, "status": "succeeded", "method_ran": "lora"})
        if (method, path) == ("GET", f"/models/{name}/versions"):
            v2 = {"id": str(uuid4()), "version": 2, "stage": "staging", "job_id": self.retrain["id"]}
            return httpx.Response(200, json=[{**v2, "created_at": self.NOW}])
        if (method, path) == ("POST", f"/models/{name}/deployment"):
            body = json.loads(request.content)
            assert body == {"version": 2, "canary_weight": 0.1}, body
            self.deployment = {
                "model": name,
                "deployment_id": str(uuid4()),
                "status": "deploying",
                "endpoint": "http://serving.test",
                "stable_version": 1,
                "canary_version": 2,
                "canary_weight": 0.1,
                "updated_at": self.NOW,
            }
            return httpx.Response(201, json=self.deployment)
        if (method, path) == ("GET", f"/models/{name}/deployment"):
            self.health_polls += 1
            status = "healthy" if self.health_polls > 1 else "deploying"  # the canary's adapter loads first
            return httpx.Response(200, json={**self.deployment, "status": status})
        if (method, path) == ("POST", "/models/keys"):
            return httpx.Response(
                201, json={"prefix": "tl_x", "name": "k", "key": "tl_x.secret", "created_at": self.NOW}
            )
        if (method, path) == ("POST", "/chat/completions"):
            assert request.headers["authorization"] == "Bearer tl_x.secret"
            content = {"role": "assistant", "content": "hydraulic"}
            return httpx.Response(200, json={"id": "c", "model": name, "choices": [{"message": content}]})
        if (method, path) == ("GET", f"/metrics/models/{name}/current"):
            arms = [("1", "stable", 9), ("2", "canary", 1)]
            items = [{"model": name, "version": v, "arm": a, "figures": {"requests": n}} for v, a, n in arms]
            return httpx.Response(200, json={"start": self.NOW, "end": self.NOW, "items": items})
        if (method, path) == ("POST", f"/models/{name}/deployment/promote"):
            promoted = {**self.deployment, "status": "healthy", "stable_version": 2, "canary_version": None}
            return httpx.Response(200, json={**promoted, "canary_weight": 0.0, "previous_version": 1})
        return httpx.Response(404, json={"detail": f"unexpected {method} {path}"})


def test_the_canary_leg_serves_the_retrained_version_at_ten_percent_then_promotes_it(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The demo's last leg, as monitoring's `retrain` decision leads to it: the job training queued from
    retrain.requested, its version deployed as a 10% canary once healthy, requests served, the canary promoted."""
    from tuneline.cli.demo.lifecycle import DemoSizes
    from tuneline.sdk.registry import ModelVersion
    from tuneline.sdk.training import Job

    monkeypatch.setattr("time.sleep", lambda _s: None)
    first = {
        "id": str(uuid4()),
        "usecase_id": str(uuid4()),
        "dataset_id": str(uuid4()),
        "dataset_version_id": str(uuid4()),
        "status": "succeeded",
        "source": "api",
        "base_model": "smollm2-135m-instruct",
        "total_steps": 40,
        "created_at": "2026-12-06T00:00:00+00:00",
    }
    services = _CanaryServices("maintenance-classifier", first)
    person = Tuneline("t", transport=httpx.MockTransport(services), max_retries=0)
    said: list[str] = []
    lifecycle = Lifecycle(People(*[person] * 6), tmp_path, said.append, DemoSizes(served_requests=3))
    out = lifecycle.outcome
    out.model_name, out.job = services.name, Job.model_validate(first)
    out.version = ModelVersion.model_construct(prompt_template={"labels": ["hydraulic", "electrical"]})
    out.retrain_actions = ["retrain (drift.detected)"]

    lifecycle.canary()

    stage = lifecycle.stages[-1]
    assert stage.status == "ok", stage.detail
    assert "v2 served as a 10% canary (requests per arm: {'stable': 9, 'canary': 1})" in stage.detail
    assert "then promoted: v2 takes 100%" in stage.detail
    assert out.deployment is not None and out.deployment.stable_version == 2
    assert services.calls.count("POST /chat/completions") == 3
    # traffic only once the canary served; the promotion only after its requests
    order = [
        c for c in services.calls if c.startswith(("POST /chat", "POST /models/maintenance-classifier/deployment"))
    ]
    assert order[0] == "POST /models/maintenance-classifier/deployment" and order[-1].endswith("/promote")
    assert services.health_polls >= 2
