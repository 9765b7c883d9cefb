"""A model version keeps the trace it was registered under (evaluation.completed over the real broker); its
release links to it and the serving router is told it, to link the version's first served request."""

from uuid import uuid4

import pytest

from tuneline.common.observability import continued_span
from tuneline.common.testing.fixtures import new_traceparent

from .test_api_integration import Registry
from .test_api_integration import registry as registry

pytestmark = pytest.mark.integration


async def test_release_links_to_the_versions_registration_trace_and_the_router_learns_it(
    registry: Registry, recorded_spans
) -> None:  # type: ignore[no-untyped-def]
    evaluation_trace, evaluation_context = new_traceparent()  # the trace evaluation.completed travels in
    release_trace, release_context = new_traceparent()  # the engineer's deploy request
    usecase = uuid4()
    name = f"classification-{usecase.hex[:8]}"
    with continued_span("test.evaluation.run", evaluation_context):
        await registry.evaluation(usecase)
    await registry.versions(name, 1)

    headers = {**registry.as_("ml_engineer"), "traceparent": release_context}
    r = await registry.client.post(f"/models/{name}/deployment", json={"version": 1}, headers=headers)
    assert r.status_code == 200, r.text

    [arm] = registry.runtime.current(name).router.arms
    assert arm.traceparent is not None and arm.traceparent.split("-")[1] == evaluation_trace
    releases = [s for s in recorded_spans() if s["trace_id"] == release_trace and s["links"]]
    assert [link["trace_id"] for s in releases for link in s["links"]] == [evaluation_trace], releases
    assert "/deployment" in releases[0]["name"]
