"""Where deployments run. The service talks to this protocol; Ray Serve is the real implementation.

Tests of the service use an in-memory fake (an external system behind a small protocol, as STYLE.md asks);
the Ray implementation itself is exercised by the slow tier (tests/serving/test_ray_serving.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

from tuneline.common.redact import describe_error
from tuneline.registry.deployments.serve_controller import AppHealth, DeploymentFailed, ServeController
from tuneline.registry.serving.spec import AppSpec

__all__ = ["AppHealth", "DeploymentFailed", "DisabledRuntime", "RayServingRuntime", "ServingRuntime"]


class ServingRuntime(Protocol):
    async def apply(self, apps: list[AppSpec]) -> dict[str, AppHealth]:
        """Make exactly `apps` serve; raise DeploymentFailed (with the reason) leaving what served before."""
        ...

    async def health(self) -> dict[str, AppHealth]: ...

    def endpoint(self, name: str) -> str: ...

    async def close(self) -> None: ...


class RayServingRuntime:
    """Ray Serve through the declarative controller. Ray starts on first use, not at service start."""

    def __init__(self, controller: ServeController, public_url: str | None = None) -> None:
        self._controller = controller
        self._public_url = public_url or controller.base_url
        self._lock = asyncio.Lock()  # one apply at a time: each apply carries the complete application set
        self._started = False

    async def apply(self, apps: list[AppSpec]) -> dict[str, AppHealth]:
        async with self._lock:
            if not apps and not self._started and not self._controller.external_cluster:
                return {}  # nothing to serve, and no Ray of ours that could still serve something
            await self._ensure_started(apps)
            return await asyncio.to_thread(self._controller.apply, apps)

    async def health(self) -> dict[str, AppHealth]:
        if not self._started:
            return {}
        return await asyncio.to_thread(self._controller.health)

    def endpoint(self, name: str) -> str:
        return f"{self._public_url}/{name}/v1"

    async def close(self) -> None:
        if self._started:
            await asyncio.to_thread(self._controller.shutdown)
            self._started = False

    async def _ensure_started(self, apps: list[AppSpec]) -> None:
        if self._started:
            return
        try:
            await asyncio.to_thread(self._controller.start)
        except Exception as exc:  # Ray's own start-up errors are plain Exceptions (node timeout, no resources)
            # a half-started Ray would make every later attempt reuse it: the next deploy starts from scratch
            with contextlib.suppress(Exception):  # cleaning up after a failed start: its own error adds nothing
                await asyncio.to_thread(self._controller.shutdown)
            raise DeploymentFailed(
                ",".join(a.name for a in apps),
                f"the serving runtime (Ray) could not start: {describe_error(exc)}. Check the machine's free CPU "
                "and memory (`ray status` on a cluster), or point TUNELINE_RAY_ADDRESS at a running cluster; "
                "deploying again retries the start",
            ) from exc
        self._started = True


class DisabledRuntime:
    """serving_backend='none': deployments are refused with a clear reason."""

    async def apply(self, apps: list[AppSpec]) -> dict[str, AppHealth]:
        if not apps:
            return {}  # nothing deployed is the one state a disabled runtime is always in
        raise DeploymentFailed(",".join(a.name for a in apps), "serving is disabled (TUNELINE_SERVING_BACKEND=none)")

    async def health(self) -> dict[str, AppHealth]:
        return {}

    def endpoint(self, name: str) -> str:
        return ""

    async def close(self) -> None:
        return None
