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
