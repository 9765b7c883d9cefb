"""The Ray runtime's start-up: a Ray that cannot start fails the deployment with a reason, and the next try starts
again from scratch (no 500, no half-started Ray kept)."""

from __future__ import annotations

from typing import Any

import pytest

from tuneline.registry.deployments.runtime import DisabledRuntime, RayServingRuntime
from tuneline.registry.deployments.serve_controller import AppHealth, DeploymentFailed

pytestmark = pytest.mark.unit


class FlakyController:
    """Ray's node start times out the first time (as on a loaded machine), then works."""

    base_url = "http://127.0.0.1:8000"

    def __init__(self, *, failing_starts: int = 1, external_cluster: bool = False) -> None:
        self.starts = self.shutdowns = self.applies = 0
        self.failing_starts = failing_starts
        self.external_cluster = external_cluster
        self.applied: list[list[Any]] = []

    def start(self) -> None:
        self.starts += 1
        if self.starts <= self.failing_starts:
            raise Exception("The current node timed out during startup.")  # what ray.init raises

    def shutdown(self) -> None:
        self.shutdowns += 1

    def apply(self, apps: list[Any]) -> dict[str, AppHealth]:
        self.applies += 1
        self.applied.append(list(apps))
        return {}


class App:
    name = "classification-1"


async def test_a_ray_that_cannot_start_fails_the_deployment_with_a_reason_and_the_next_try_starts_again() -> None:
    controller = FlakyController()
    runtime = RayServingRuntime(controller)  # type: ignore[arg-type]
    with pytest.raises(DeploymentFailed) as failed:
        await runtime.apply([App()])  # type: ignore[list-item]
    assert failed.value.app == "classification-1"
    assert "could not start" in failed.value.detail and "timed out during startup" in failed.value.detail
    assert "TUNELINE_RAY_ADDRESS" in failed.value.detail
    assert (controller.shutdowns, controller.applies) == (1, 0)

    assert await runtime.apply([App()]) == {}  # type: ignore[list-item]
    assert (controller.starts, controller.applies) == (2, 1)


async def test_the_last_model_stopped_leaves_serving_with_nothing_and_nothing_deployed_starts_no_ray() -> None:
    controller = FlakyController(failing_starts=0)
    runtime = RayServingRuntime(controller)  # type: ignore[arg-type]
    assert await runtime.apply([]) == {}  # a registry start with nothing deployed: no Ray started for nothing
    assert (controller.starts, controller.applies) == (0, 0)

    await runtime.apply([App()])  # type: ignore[list-item]
    await runtime.apply([])  # the last served model stopped (retired, erased, undeployed)
    assert [len(apps) for apps in controller.applied] == [1, 0]  # the empty set reached Serve


async def test_on_an_external_cluster_an_empty_set_is_applied_even_before_this_process_used_ray() -> None:
    controller = FlakyController(failing_starts=0, external_cluster=True)
    runtime = RayServingRuntime(controller)  # type: ignore[arg-type]
    await runtime.apply([])  # apps an earlier registry process left on the cluster are removed
    assert (controller.starts, controller.applied) == (1, [[]])


async def test_a_disabled_runtime_accepts_the_empty_set_and_refuses_anything_else() -> None:
    runtime = DisabledRuntime()
    assert await runtime.apply([]) == {}
    with pytest.raises(DeploymentFailed, match="serving is disabled"):
        await runtime.apply([App()])  # type: ignore[list-item]
