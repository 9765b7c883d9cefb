"""Applying the desired set of served models to Ray Serve, declaratively, and reading back their health.

Why the declarative (config) path and not `serve.run`: with a config, Serve compares each application's code
version (import path + args + runtime env) and, when only a deployment's `user_config` changed, calls
`reconfigure` on the running replicas. `serve.run` ships freshly pickled code, which Serve treats as a new
version and restarts replicas (TRAPS.md measured requests stalling up to 3.7 s). Canary weight changes must be
the former. Serve's declarative apply replaces the whole application set, so callers always pass every model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tuneline.registry.serving.spec import ROUTER_DEPLOYMENT, SERVER_DEPLOYMENT, AppSpec, serve_config


class DeploymentFailed(RuntimeError):
    def __init__(self, app: str, detail: str) -> None:
        self.app = app
        self.detail = detail
        super().__init__(f"deployment of {app!r} failed: {detail}")


@dataclass(frozen=True)
class AppHealth:
    name: str
    status: str  # Serve's application status: DEPLOYING, RUNNING, DEPLOY_FAILED, UNHEALTHY, DELETING, ...
    message: str
    deployments: dict[str, str] = field(default_factory=dict)  # deployment -> status
    failed_versions: dict[str, str] = field(default_factory=dict)  # version_id -> why it could not load

    @property
    def healthy(self) -> bool:
        return self.status == "RUNNING" and not self.failed_versions


class ServeController:
    """Owns the connection to Ray Serve for the registry (one per process)."""

    def __init__(
        self,
        key_pepper: str,
        *,
        ray_address: str | None = None,
        http_host: str = "127.0.0.1",
        http_port: int = 8000,
    ) -> None:
        self._pepper = key_pepper
        self._address = ray_address
        self._host = http_host
        self._port = http_port
        self._applied: dict[str, AppSpec] = {}

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}"

    def start(self, **ray_init_kwargs: Any) -> None:
        import ray
        from ray import serve

        if not ray.is_initialized():
            ray.init(address=self._address, ignore_reinit_error=True, **ray_init_kwargs)
        serve.start(http_options={"host": self._host, "port": self._port})

    def apply(self, apps: list[AppSpec], *, wait: bool = True, timeout_s: float = 180.0) -> dict[str, AppHealth]:
        """Deploys exactly `apps`; with `wait`, returns once every app runs its new config (or raises).

        Versions are loaded before traffic moves: first the model servers get the new warm lists while routers
        keep their current arms; only when every new version loaded do the routers switch. A version that fails
        to load raises DeploymentFailed naming it and why, and the routers stay on what they served before.
        """
        staged = [self._with_previous_routing(a) for a in apps]
        if wait and staged != apps:
            self._deploy(staged)
            health = self._wait(staged, timeout_s)
            failed = {n: h.failed_versions for n, h in health.items() if h.failed_versions}
            if failed:
                raise DeploymentFailed(",".join(failed), f"versions failed to load, traffic unchanged: {failed}")
        self._deploy(apps)
        if not wait:
            return self.health([a.name for a in apps])
        return self._wait(apps, timeout_s)

    def _deploy(self, apps: list[AppSpec]) -> None:
        from ray.serve.schema import ServeDeploySchema

        config = ServeDeploySchema.model_validate(serve_config(apps, self._pepper, self._host, self._port))
        _serve_client().deploy_apps(config)
        self._applied = {a.name: a for a in apps}

    def _with_previous_routing(self, app: AppSpec) -> AppSpec:
        """`app` with the router config it runs now, when only the loaded versions or routing differ."""
        current = self._applied.get(app.name)
        if current is None or current.build != app.build or current.router == app.router:
            return app
        return app.model_copy(update={"router": current.router})

    def health(self, names: list[str] | None = None) -> dict[str, AppHealth]:
        from ray import serve

        status = serve.status()
        out: dict[str, AppHealth] = {}
        for name, app in status.applications.items():
            if names is not None and name not in names:
                continue
            deployments = {d: s.status.value for d, s in app.deployments.items()}
            messages = [app.message] + [s.message for s in app.deployments.values() if s.message]
            failed = self._failed_versions(name) if app.status.value == "RUNNING" else {}
            out[name] = AppHealth(name, app.status.value, " | ".join(m for m in messages if m), deployments, failed)
        return out

    def router_info(self, name: str) -> dict[str, Any]:
        """One router replica of `name`: the arms it routes by, its start time and pid."""
        from ray import serve

        handle = serve.get_deployment_handle(ROUTER_DEPLOYMENT, app_name=name)
        info: dict[str, Any] = handle.info.remote().result(timeout_s=30)
        return info

    def router_arms(self, name: str) -> list[dict[str, Any]]:
        arms: list[dict[str, Any]] = self.router_info(name)["arms"]
        return arms

    def server_status(self, name: str) -> dict[str, Any]:
        """One model server replica of `name`: loaded and failed versions, its start time and pid."""
        from ray import serve

        handle = serve.get_deployment_handle(SERVER_DEPLOYMENT, app_name=name)
        status: dict[str, Any] = handle.status.remote().result(timeout_s=30)
        return status

    def delete(self, names: list[str]) -> None:
        _serve_client().delete_apps(names, blocking=True)

    def shutdown(self) -> None:
        import ray
        from ray import serve

        if ray.is_initialized():
            serve.shutdown()
            ray.shutdown()

    def _failed_versions(self, name: str) -> dict[str, str]:
        return dict(self.server_status(name)["failed"])

    def _wait(self, apps: list[AppSpec], timeout_s: float) -> dict[str, AppHealth]:
        """Until every app is RUNNING with its routers on the new arms; DEPLOY_FAILED raises with Serve's reason."""
        names = [a.name for a in apps]
        wanted = {a.name: [arm.model_dump() for arm in a.router.arms] for a in apps}
        deadline = time.monotonic() + timeout_s
        while True:
            health = self.health(names)
            for name in names:
                h = health.get(name)
                if h is not None and h.status in ("DEPLOY_FAILED", "UNHEALTHY"):
                    raise DeploymentFailed(name, h.message or h.status)
            ready = all(
                name in health
                and health[name].status == "RUNNING"
                and all(s == "HEALTHY" for s in health[name].deployments.values())
                and self.router_arms(name) == wanted[name]
                for name in names
            )
            if ready:
                return health
            if time.monotonic() > deadline:
                raise DeploymentFailed(",".join(names), f"not running after {timeout_s:.0f} s: {health}")
            time.sleep(0.25)


def _serve_client() -> Any:
    """Serve's controller client: the declarative apply (`serve deploy`) has no public Python API, so this is
    the one private Ray call we make; it is the same client the dashboard's REST endpoint uses."""
    from ray.serve.context import _get_global_client

    client = _get_global_client()
    if client is None:
        raise RuntimeError("Ray Serve is not running; call start() first")
    return client
