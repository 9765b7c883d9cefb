"""The router's first request for a version links to the version's registration trace (the replica class is
built directly: no Ray needed to see which spans a request leaves)."""

import pytest

from tuneline.common.testing.fixtures import new_traceparent
from tuneline.registry.serving.router import Router
from tuneline.registry.serving.spec import PEPPER_ENV, ArmSpec


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv(PEPPER_ENV, "pepper-for-tests")
    # The class as written, under Serve's deployment and ingress wrappers (whose async __init__ needs Serve).
    written = next(c for c in Router.func_or_class.__mro__ if c.__name__ == "Router" and "_handle" in vars(c))
    return written({"kind": "none"})


def test_only_the_first_request_for_a_version_leaves_a_span_linked_to_its_registration(router, recorded_spans) -> None:  # type: ignore[no-untyped-def]
    trace_id, traceparent = new_traceparent()
    arm = ArmSpec(arm="stable", version=1, version_id="v-1", adapter_uri=None, weight=1.0, traceparent=traceparent)
    for _ in range(3):
        router._trace_first_request("model-a", arm)
    untraced = arm.model_copy(update={"version": 2, "version_id": "v-2", "traceparent": None})
    router._trace_first_request("model-a", untraced)

    first = [s for s in recorded_spans() if s["name"] == "serving.first_request"]
    assert [(s["attributes"]["version_id"], [link["trace_id"] for link in s["links"]]) for s in first] == [
        ("v-1", [trace_id]),
        ("v-2", []),
    ]
