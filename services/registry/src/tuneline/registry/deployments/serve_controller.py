"""Applying the desired set of served models to Ray Serve, declaratively, and reading back their health.

Why the declarative (config) path and not `serve.run`: with a config, Serve compares each application's code
version (import path + args + runtime env) and, when only a deployment's `user_config` changed, calls
`reconfigure` on the running replicas. `serve.run` ships freshly pickled code, which Serve treats as a new
version and restarts replicas (TRAPS.md measured requests stalling up to 3.7 s). Canary weight changes must be
the former. Serve's declarative apply replaces the whole application set, so callers always pass every model.

Models share applications (see spec.py): one gateway, one pool per base model. Deploying another model on a base
that already serves only reconfigures both; a model on a new base adds a pool, and that needs room on the
cluster, so `apply` checks capacity first and refuses, naming what is missing and which setting or resource
fixes it, instead of leaving a replica waiting to be scheduled.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

from tuneline.registry.serving.spec import (
    GATEWAY_APP,
    ROUTER_DEPLOYMENT,
    SERVER_DEPLOYMENT,
    AppSpec,
    pool_name,
    serve_config,
)

#: The settings a person changes when the cluster lacks room (named in refusals).
CAPACITY_HINT = (
    "lower TUNELINE_SERVE_POOL_NUM_CPUS / TUNELINE_SERVE_GATEWAY_NUM_CPUS or TUNELINE_MODEL_REPLICAS, "
    "add a Ray worker node with the missing resources (custom ones come from TUNELINE_SERVE_POOL_RESOURCES: "
    "`ray start --resources=...`), or stop the deployments of a base model no longer needed"
)


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
        gateway_env: dict[str, str] | None = None,
        proxy_location: str = "EveryNode",
        apply_timeout_s: float = 180.0,
    ) -> None:
        self._pepper = key_pepper
        self.apply_timeout_s = apply_timeout_s
        self._proxy_location = proxy_location
        self._gateway_env = dict(gateway_env or {})  # the shared rate-limit store (secrets: runtime env only)
        self._address = ray_address
        self._host = http_host
        self._port = http_port
        self._applied: dict[str, AppSpec] = {}

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def external_cluster(self) -> bool:
        """Ray runs outside this process (TUNELINE_RAY_ADDRESS): applications may outlive a registry restart."""
        return self._address is not None

    def start(self, **ray_init_kwargs: Any) -> None:
        import ray
        from ray import serve

        if not ray.is_initialized():
            # Ray's default worker niceness (15) lets any busy process on the node starve the replicas (on the
            # embedded stack: training), so requests and replica starts stall; serving runs at normal priority.
            os.environ.setdefault("RAY_worker_niceness", "0")
            ray.init(address=self._address, ignore_reinit_error=True, **ray_init_kwargs)
        serve.start(proxy_location=self._proxy_location, http_options={"host": self._host, "port": self._port})

    def apply(self, apps: list[AppSpec], *, wait: bool = True, timeout_s: float | None = None) -> dict[str, AppHealth]:
        """Deploys exactly `apps`; with `wait`, returns once every app runs its new config (or raises).

        Versions are loaded before traffic moves: first the model servers get the new warm lists while routers
        keep their current arms; only when every new version loaded do the routers switch. A version that fails
        to load raises DeploymentFailed naming it and why, and the routers stay on what they served before.
        """
        timeout_s = self.apply_timeout_s if timeout_s is None else timeout_s
        self._check_capacity(apps)
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

        config = ServeDeploySchema.model_validate(
            serve_config(apps, self._pepper, self._host, self._port, gateway_env=self._gateway_env)
        )
        _serve_client().deploy_apps(config)
        self._applied = {a.name: a for a in apps}

    def _with_previous_routing(self, app: AppSpec) -> AppSpec:
        """`app` with the router config it runs now, when only the loaded versions or routing differ."""
        current = self._applied.get(app.name)
        if current is None or current.build != app.build or current.router == app.router:
            return app
        return app.model_copy(update={"router": current.router})

    def health(self, names: list[str] | None = None) -> dict[str, AppHealth]:
        """Per served model: the worse of the gateway's and its pool's status, and versions that failed to load."""
        from ray import serve

        status = serve.status()
        apps = status.applications
        out: dict[str, AppHealth] = {}
        for name, spec in self._applied.items():
            if names is not None and name not in names:
                continue
            parts = [(ROUTER_DEPLOYMENT, apps.get(GATEWAY_APP)), (SERVER_DEPLOYMENT, apps.get(pool_name(spec.build)))]
            deployments: dict[str, str] = {}
            messages: list[str] = []
            states: list[str] = []
            for deployment, app in parts:
                if app is None:
                    states.append("NOT_STARTED")
                    continue
                states.append(app.status.value)
                deployments[deployment] = next(iter(app.deployments.values())).status.value if app.deployments else "-"
                messages += [_readable(m) for m in [app.message, *(s.message for s in app.deployments.values())] if m]
            state = next((s for s in _BAD_FIRST if s in states), "RUNNING")
            failed = self._failed_versions(name) if state == "RUNNING" else {}
            out[name] = AppHealth(name, state, " | ".join(dict.fromkeys(messages)), deployments, failed)
        return out

    def router_info(self, name: str) -> dict[str, Any]:
        """One gateway replica as it routes `name`: the arms, the replica's start time and pid."""
        from ray import serve

        handle = serve.get_deployment_handle(ROUTER_DEPLOYMENT, app_name=GATEWAY_APP)
        info: dict[str, Any] = handle.info.remote().result(timeout_s=30)
        return {"arms": info["models"].get(name, []), "started_at": info["started_at"], "pid": info["pid"]}

    def router_arms(self, name: str) -> list[dict[str, Any]]:
        arms: list[dict[str, Any]] = self.router_info(name)["arms"]
        return arms

    def server_status(self, name: str) -> dict[str, Any]:
        """One replica of the pool serving `name`: loaded and failed versions, its start time and pid."""
        from ray import serve

        handle = serve.get_deployment_handle(SERVER_DEPLOYMENT, app_name=pool_name(self._applied[name].build))
        status: dict[str, Any] = handle.status.remote().result(timeout_s=30)
        return status

    def pool_of(self, name: str) -> str:
        return pool_name(self._applied[name].build)

    def delete(self, names: list[str]) -> None:
        """Stops serving `names` (models); pools left without models are removed with them."""
        self.apply([a for n, a in self._applied.items() if n not in names])

    def shutdown(self) -> None:
        import ray
        from ray import serve

        if ray.is_initialized():
            serve.shutdown()
            ray.shutdown()

    def _failed_versions(self, name: str) -> dict[str, str]:
        mine = {w.version_id for w in self._applied[name].server.warm}
        return {v: why for v, why in self.server_status(name)["failed"].items() if v in mine}

    def _check_capacity(self, apps: list[AppSpec]) -> None:
        """Refuses a set of applications the cluster cannot place, before Serve tries (it would wait forever)."""
        import ray

        if not ray.is_initialized():
            return
        wanted = _reservations(serve_config(apps, self._pepper, self._host, self._port)["applications"])
        held = _reservations(serve_config(list(self._applied.values()), self._pepper)["applications"])
        free = ray.available_resources()
        nodes = [n.get("Resources", {}) for n in ray.nodes() if n.get("Alive")]
        problems = []
        custom = sorted({name for r, _, _ in wanted.values() for name in r if name not in ("CPU", "GPU")})
        for resource in ("CPU", "GPU", *custom):
            need = sum(r.get(resource, 0.0) * n for r, n, _ in wanted.values())
            have = free.get(resource, 0.0) + sum(r.get(resource, 0.0) * n for r, n, _ in held.values())
            if need > have + 1e-9:
                parts = ", ".join(
                    f"{app}: {n} × {r[resource]:g} {resource}" for app, (r, n, _) in wanted.items() if r.get(resource)
                )
                problems.append(f"serving needs {need:g} {resource} ({parts}) but the Ray cluster has {have:g} for it")
            for app, (r, _, _) in wanted.items():
                per = r.get(resource, 0.0)
                if per and not any(node.get(resource, 0.0) >= per for node in nodes):
                    problems.append(f"{app} needs {per:g} {resource} per replica and no Ray node has that much")
        if problems:
            new_pools = sorted(set(wanted) - set(held))
            added = f" (new pools: {', '.join(new_pools)}; each base model needs its own pool)" if new_pools else ""
            raise DeploymentFailed(
                ",".join(a.name for a in apps), "; ".join(problems) + added + f". To fix: {CAPACITY_HINT}."
            )

    def _wait(self, apps: list[AppSpec], timeout_s: float) -> dict[str, AppHealth]:
        """Until every model is RUNNING with the gateway on its new arms; DEPLOY_FAILED raises with Serve's
        reason (in words, see `_readable`)."""
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
                waiting = "; ".join(f"{n}: {h.status} {h.message}".strip() for n, h in health.items())
                raise DeploymentFailed(
                    ",".join(names), f"not running after {timeout_s:.0f} s ({waiting or 'no status'})"
                )
            time.sleep(0.25)


def _serve_client() -> Any:
    """Serve's controller client: the declarative apply (`serve deploy`) has no public Python API, so this is
    the one private Ray call we make; it is the same client the dashboard's REST endpoint uses."""
    from ray.serve.context import _get_global_client

    client = _get_global_client()
    if client is None:
        raise RuntimeError("Ray Serve is not running; call start() first")
    return client


_BAD_FIRST = ("DEPLOY_FAILED", "UNHEALTHY", "NOT_STARTED", "DELETING", "DEPLOYING")


def _reservations(applications: list[dict[str, Any]]) -> dict[str, tuple[dict[str, float], int, str]]:
    """Per Serve application: (resources one replica reserves, replicas that must be placed, deployment)."""
    out: dict[str, tuple[dict[str, float], int, str]] = {}
    for app in applications:
        for d in app["deployments"]:
            actor = d.get("ray_actor_options", {})
            per = {"CPU": float(actor.get("num_cpus", 0.0)), "GPU": float(actor.get("num_gpus", 0.0))}
            per.update({name: float(amount) for name, amount in actor.get("resources", {}).items()})
            auto = d.get("autoscaling_config")
            replicas = max(1, int(auto["min_replicas"])) if auto else int(d.get("num_replicas", 1))
            out[app["name"]] = (per, replicas, d["name"])
    return out


def _readable(message: str) -> str:
    """Serve's status text in words a person can act on: a replica waiting to be scheduled says what it waits for
    and what fixes a lasting wait; a traceback is cut to its last line.

    Serve says a replica "has taken more than 30s to be scheduled" also when the resources exist and only the
    worker process is slow to start (a busy node), so the wait itself is no failure: the capacity check before
    each apply is what refuses a set that cannot fit.
    """
    if "to be scheduled" in message:
        required = _resources_after(message, "Resources required for each replica:") or {}
        wanted = ", ".join(f"{v:g} {k}" for k, v in required.items()) or "its resources"
        return (
            f"a serving replica is waiting to be scheduled ({wanted} per replica); if it lasts, the cluster lacks "
            f"room. To fix: {CAPACITY_HINT}."
        )
    lines = [line for line in message.strip().splitlines() if line.strip()]
    if len(lines) > 3 and lines[0].startswith("Traceback"):
        return lines[-1][:500]
    return message.strip()[:1000]


def _resources_after(message: str, label: str) -> dict[str, float] | None:
    found = re.search(re.escape(label) + r"\s*(\{[^}]*\})", message)
    if found is None:
        return None
    try:
        parsed = json.loads(found.group(1).replace("'", '"'))
    except json.JSONDecodeError:
        return None
    return {str(k): float(v) for k, v in parsed.items() if isinstance(v, int | float)}
