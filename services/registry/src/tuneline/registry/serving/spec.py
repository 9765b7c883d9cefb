"""The wire format between the registry and its Ray Serve applications.

An application serves one registered model. Its *build args* (base model, merge mode, sink) fix the code and the
model weights: changing them rebuilds the application and restarts replicas. Everything that changes during a
rollout — which versions serve, with which weights, which keys are valid — lives in the deployments'
`user_config`, which Serve hands to `reconfigure` on the running replicas without restarting them.

Only pydantic here: the REST service imports this module, Ray workers import it too.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tuneline.registry.keys.domain import ApiKey

MODEL_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ROUTER_DEPLOYMENT = "Router"
SERVER_DEPLOYMENT = "ModelServer"
BUILDER_IMPORT_PATH = "tuneline.registry.serving.app:build_app"
PEPPER_ENV = "TUNELINE_REGISTRY_KEY_PEPPER"

ArmName = Literal["stable", "canary", "previous"]


def check_model_name(name: str) -> str:
    if not MODEL_NAME_RE.match(name):
        raise ValueError(f"model name {name!r}: use 1-63 lowercase letters, digits or '-', starting alphanumeric")
    return name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArmSpec(_Strict):
    """One version taking a share of traffic (or, with weight 0, kept loaded for an instant rollback)."""

    arm: ArmName
    version: int = Field(ge=1, description="Version number within the registered model.")
    version_id: str = Field(min_length=1, description="Registry id of the version; the adapter cache key.")
    adapter_uri: str | None = Field(description="LoRA adapter location; None serves the base model itself.")
    weight: float = Field(ge=0, le=1, description="Share of traffic, 0..1.")


class KeySpec(_Strict):
    """An API key as a router needs it: the hash only, never the plaintext."""

    prefix: str
    key_hash: str
    models: list[str]
    requests_per_minute: int = Field(gt=0)
    expires_at: datetime | None = None
    revoked: bool = False

    @classmethod
    def of(cls, key: ApiKey) -> KeySpec:
        return cls(
            prefix=key.prefix,
            key_hash=key.key_hash,
            models=sorted(key.models),
            requests_per_minute=key.requests_per_minute,
            expires_at=key.expires_at,
            revoked=key.revoked_at is not None,
        )

    def to_domain(self, now: datetime) -> ApiKey:
        return ApiKey(
            prefix=self.prefix,
            key_hash=self.key_hash,
            name=self.prefix,
            owner="",
            models=frozenset(self.models),
            created_at=now,
            requests_per_minute=self.requests_per_minute,
            expires_at=self.expires_at,
            revoked_at=now if self.revoked else None,
        )


class Pricing(_Strict):
    """Cost attributed to a request, per 1,000 tokens (any currency unit the operator chooses)."""

    input_per_1k: float = Field(default=0.0, ge=0)
    output_per_1k: float = Field(default=0.0, ge=0)

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return tokens_in / 1000 * self.input_per_1k + tokens_out / 1000 * self.output_per_1k


class RouterConfig(_Strict):
    """The router deployment's user_config."""

    arms: list[ArmSpec]
    keys: list[KeySpec] = Field(default_factory=list)
    log_prompts: bool = Field(default=False, description="Inference records may carry prompt and output text.")
    pricing: Pricing = Field(default_factory=Pricing)
    replicas: int = Field(default=1, ge=1, description="Router replicas; each enforces its share of key limits.")
    request_timeout_s: float = Field(default=120.0, gt=0, description="A generation running longer is a timeout.")

    @model_validator(mode="after")
    def _arms_are_consistent(self) -> RouterConfig:
        names = [a.arm for a in self.arms]
        if len(set(names)) != len(names):
            raise ValueError(f"arms: each arm name may appear once, got {names}")
        if not any(a.weight > 0 for a in self.arms):
            raise ValueError("arms: at least one arm needs a positive weight")
        if abs(sum(a.weight for a in self.arms) - 1.0) > 1e-6:
            raise ValueError(f"arms: weights must sum to 1, got {sum(a.weight for a in self.arms):.6f}")
        return self


class WarmAdapter(_Strict):
    version_id: str
    adapter_uri: str | None


class ServerConfig(_Strict):
    """The model deployment's user_config: which versions to keep loaded."""

    warm: list[WarmAdapter] = Field(default_factory=list)
    max_loaded: int = Field(default=8, ge=1, description="Adapters (or merged copies) kept per replica; LRU beyond.")

    @model_validator(mode="after")
    def _warm_fits(self) -> ServerConfig:
        if len(self.warm) > self.max_loaded:
            raise ValueError(f"warm: {len(self.warm)} versions to keep loaded but max_loaded is {self.max_loaded}")
        return self


class SinkSpec(_Strict):
    """Where inference records go. `import` names a factory 'module:attr' called with `options`."""

    kind: Literal["log", "jsonl", "import", "none"] = "log"
    path: str | None = None
    target: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _needs(self) -> SinkSpec:
        if self.kind == "jsonl" and not self.path:
            raise ValueError("sink.path: required for a jsonl sink")
        if self.kind == "import" and not self.target:
            raise ValueError("sink.target: required for an import sink ('module:attr')")
        return self


class BuildArgs(_Strict):
    """Application builder args. A change here rebuilds the application (replicas restart)."""

    model_name: str
    base_model_path: str = Field(description="Local Hugging Face model directory of the base model.")
    merge: bool = Field(default=False, description="Serve merged full-weight copies instead of live adapters.")
    torch_threads: int | None = Field(default=None, ge=1)
    max_new_tokens: int = Field(default=256, ge=1, description="Upper bound on tokens generated per request.")
    adapter_cache_dir: str | None = Field(default=None, description="Where remote adapters are fetched to.")
    sink: SinkSpec = Field(default_factory=SinkSpec)

    @field_validator("model_name")
    @classmethod
    def _valid_name(cls, v: str) -> str:
        return check_model_name(v)


class DeploymentOptions(_Strict):
    num_replicas: int = Field(default=1, ge=1)
    max_ongoing_requests: int = Field(default=64, ge=1)
    num_cpus: float = Field(default=0.5, gt=0)


class AppSpec(_Strict):
    """Everything needed to serve one registered model on Ray Serve."""

    build: BuildArgs
    router: RouterConfig
    server: ServerConfig = Field(default_factory=ServerConfig)
    router_options: DeploymentOptions = Field(default_factory=DeploymentOptions)
    server_options: DeploymentOptions = Field(default_factory=lambda: DeploymentOptions(num_cpus=1.0))

    @property
    def name(self) -> str:
        return self.build.model_name

    @property
    def route_prefix(self) -> str:
        return f"/{self.build.model_name}"


def serve_config(
    apps: list[AppSpec], key_pepper: str, http_host: str = "127.0.0.1", http_port: int = 8000
) -> dict[str, Any]:
    """The full declarative Serve config (ServeDeploySchema as a dict) for all served models.

    Serve's declarative API replaces the whole set of applications on each apply, so this is always built from
    the complete desired state. The pepper travels as an environment variable of the application runtime.
    """
    names = [a.name for a in apps]
    if len(set(names)) != len(names):
        raise ValueError(f"applications: duplicate model names in {names}")
    applications = []
    for app in apps:
        router_cfg = app.router.model_copy(update={"replicas": app.router_options.num_replicas})
        applications.append(
            {
                "name": app.name,
                "route_prefix": app.route_prefix,
                "import_path": BUILDER_IMPORT_PATH,
                "args": app.build.model_dump(mode="json"),
                "runtime_env": {"env_vars": {PEPPER_ENV: key_pepper}},
                "deployments": [
                    _deployment(ROUTER_DEPLOYMENT, app.router_options, router_cfg.model_dump(mode="json")),
                    _deployment(SERVER_DEPLOYMENT, app.server_options, app.server.model_dump(mode="json")),
                ],
            }
        )
    return {"http_options": {"host": http_host, "port": http_port}, "applications": applications}


def _deployment(name: str, opts: DeploymentOptions, user_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "num_replicas": opts.num_replicas,
        "max_ongoing_requests": opts.max_ongoing_requests,
        "ray_actor_options": {"num_cpus": opts.num_cpus},
        "user_config": user_config,
    }
