"""The wire format between the registry and its Ray Serve applications.

The registry thinks in models: an `AppSpec` says how one registered model should serve (base model, traffic arms,
keys, versions to keep loaded). Ray Serve runs *pools*: `serve_config` groups the models by base model into one
pool application per base (a `ModelServer` deployment holding the base weights and an LRU of every adapter
fine-tuned from it) and puts every model's routing into one gateway application (the `Router` ingress at "/",
which serves `/<model>/v1/...`). Deploying a model therefore changes user_configs only: the gateway learns the
model's arms and keys, the pool learns its adapters, and no replica starts.

*Build args* (base model, merge mode, sink) fix code and weights: changing them rebuilds an application and
restarts its replicas. Everything that changes during a rollout — which versions serve, with which weights,
which keys are valid — lives in the deployments' `user_config`, which Serve hands to `reconfigure` on the
running replicas without restarting them.

Only pydantic here: the REST service imports this module, Ray workers import it too.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tuneline.common.records import PromptTemplate
from tuneline.registry.keys.domain import ApiKey

MODEL_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ROUTER_DEPLOYMENT = "Router"
SERVER_DEPLOYMENT = "ModelServer"
GATEWAY_APP = "tuneline-gateway"
GATEWAY_IMPORT_PATH = "tuneline.registry.serving.app:build_gateway"
POOL_IMPORT_PATH = "tuneline.registry.serving.app:build_pool"
PEPPER_ENV = "TUNELINE_REGISTRY_KEY_PEPPER"
#: The shared rate-limit store of the gateway replicas (postgresql://… or redis://…; it may carry a password).
RATE_LIMIT_URL_ENV = "TUNELINE_REGISTRY_RATE_LIMIT_URL"
RATE_LIMIT_SCHEMA_ENV = "TUNELINE_REGISTRY_RATE_LIMIT_SCHEMA"

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
    traceparent: str | None = Field(
        default=None,
        max_length=55,
        description="Trace context the version was registered under; the first request served links to it.",
    )
    prompt_template: PromptTemplate | None = Field(
        default=None, description="The version's prompt template; /v1/classify wraps the raw input in it."
    )


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
    max_new_tokens: int = Field(default=256, ge=1, description="Upper bound on tokens generated per request.")
    model_kind: Literal["causal", "encoder"] = Field(
        default="causal",
        description="encoder: a classifier (BERT-style base with a classification head) answering /v1/classify only.",
    )

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
    adapter_uri: str | None = Field(description="Object-store URI (or a path on a volume every node mounts).")
    sha256: dict[str, str] = Field(
        default_factory=dict, description="Pinned digest of every adapter file; replicas check what they fetch."
    )


class StoreSpec(_Strict):
    """How a pool replica reaches the object store for artifacts named by remote URIs (`s3://…`)."""

    url: str
    endpoint: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    secure: bool = True
    region: str | None = None

    def open(self) -> Any:
        from tuneline.common.storage import store_from_url

        return store_from_url(
            self.url,
            endpoint=self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=self.secure,
            region=self.region,
        )


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
    base_model_path: str = Field(
        description="The base model's Hugging Face directory: an object-store URI, or a path every node has."
    )
    merge: bool = Field(default=False, description="Serve merged full-weight copies instead of live adapters.")
    torch_threads: int | None = Field(default=None, ge=1)
    max_batch: int = Field(default=16, ge=1, le=256, description="Requests a pool replica decodes together.")
    max_new_tokens: int = Field(default=256, ge=1, description="Upper bound on tokens generated per request.")
    adapter_cache_dir: str | None = Field(
        default=None, description="Node-local cache on each replica's node, where remote artifacts are fetched to."
    )
    base_model_sha256: dict[str, str] = Field(
        default_factory=dict, description="Pinned digests of the base model's files (for an object-store URI)."
    )
    store: StoreSpec | None = Field(default=None, description="The object store, for remote artifact URIs.")
    sink: SinkSpec = Field(default_factory=SinkSpec)

    @field_validator("model_name")
    @classmethod
    def _valid_name(cls, v: str) -> str:
        return check_model_name(v)


class Autoscaling(_Strict):
    """Serve's autoscaling_config for a pool: replicas follow the ongoing requests per replica."""

    min_replicas: int = Field(default=1, ge=0)
    max_replicas: int = Field(default=1, ge=1)
    target_ongoing_requests: float = Field(default=16.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise ValueError(f"min_replicas {self.min_replicas} exceeds max_replicas {self.max_replicas}")
        return self


class DeploymentOptions(_Strict):
    num_replicas: int = Field(default=1, ge=1)
    max_ongoing_requests: int = Field(default=64, ge=1)
    num_cpus: float = Field(default=0.5, gt=0)
    num_gpus: float = Field(default=0.0, ge=0)
    resources: dict[str, float] = Field(
        default_factory=dict, description="Ray custom resources per replica (places it on nodes that have them)."
    )
    autoscaling: Autoscaling | None = Field(default=None, description="When set, replaces num_replicas.")

    @property
    def reserved_replicas(self) -> int:
        """Replicas that must be placeable for the deployment to run at all."""
        return max(1, self.autoscaling.min_replicas) if self.autoscaling else self.num_replicas


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


class PoolArgs(_Strict):
    """A pool application's builder args: the base model every adapter in the pool is fine-tuned from."""

    base_model_path: str
    merge: bool = False
    torch_threads: int | None = None
    max_batch: int = Field(default=16, ge=1, le=256, description="Sequences decoded together per replica.")
    adapter_cache_dir: str | None = None
    base_model_sha256: dict[str, str] = Field(default_factory=dict)
    store: StoreSpec | None = None


class ModelRoute(_Strict):
    """One model as the gateway routes it: which pool answers and the model's own traffic config."""

    pool: str
    router: RouterConfig


class GatewayConfig(_Strict):
    """The gateway (Router) deployment's user_config: every served model's routing, keys and limits."""

    models: dict[str, ModelRoute] = Field(default_factory=dict)
    replicas: int = Field(default=1, ge=1, description="Gateway replicas; each enforces its share of key limits.")


def pool_name(build: BuildArgs) -> str:
    """A stable, readable Serve application name for the pool serving `build`'s base model."""
    # Only what makes a different pool names it: rotating store credentials must not rename (replace) the pool.
    identity = json.dumps([build.base_model_path, build.merge, build.torch_threads, build.base_model_sha256])
    stem = re.sub(r"[^a-z0-9]+", "-", build.base_model_path.rstrip("/").rsplit("/", 1)[-1].lower()).strip("-")
    digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
    return f"pool-{stem[:40] or 'base'}-{digest}"


def pool_args(build: BuildArgs) -> PoolArgs:
    return PoolArgs(
        base_model_path=build.base_model_path,
        merge=build.merge,
        torch_threads=build.torch_threads,
        max_batch=build.max_batch,
        adapter_cache_dir=build.adapter_cache_dir,
        base_model_sha256=build.base_model_sha256,
        store=build.store,
    )


@dataclass(frozen=True)
class Pool:
    """The models that share one base model, and what their pool application is given."""

    name: str
    args: PoolArgs
    options: DeploymentOptions
    server: ServerConfig
    models: tuple[str, ...]


def pools_of(apps: list[AppSpec]) -> list[Pool]:
    """Groups models by base model. Each pool keeps every version of every model warm; its replicas and CPUs
    come from the first model's server options (all models of one registry get the same pool settings)."""
    groups: dict[str, list[AppSpec]] = {}
    for app in apps:
        groups.setdefault(pool_name(app.build), []).append(app)
    pools = []
    for name, members in groups.items():
        warm: dict[str, WarmAdapter] = {}
        for app in members:
            for item in app.server.warm:
                warm.setdefault(item.version_id, item)
        max_loaded = max([len(warm), *(a.server.max_loaded for a in members)])
        pools.append(
            Pool(
                name=name,
                args=pool_args(members[0].build),
                options=members[0].server_options,
                server=ServerConfig(warm=list(warm.values()), max_loaded=max_loaded),
                models=tuple(a.name for a in members),
            )
        )
    return pools


def serve_config(
    apps: list[AppSpec],
    key_pepper: str,
    http_host: str = "127.0.0.1",
    http_port: int = 8000,
    gateway_options: DeploymentOptions | None = None,
    gateway_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The full declarative Serve config (ServeDeploySchema as a dict) for all served models.

    Serve's declarative API replaces the whole set of applications on each apply, so this is always built from
    the complete desired state. The pepper (and `gateway_env`: the rate-limit store) travel as environment
    variables of the gateway's runtime.
    """
    names = [a.name for a in apps]
    if len(set(names)) != len(names):
        raise ValueError(f"applications: duplicate model names in {names}")
    applications: list[dict[str, Any]] = []
    if not apps:
        return {"http_options": {"host": http_host, "port": http_port}, "applications": applications}
    gw = gateway_options or apps[0].router_options
    pools = pools_of(apps)
    pool_of = {model: p.name for p in pools for model in p.models}
    gateway = GatewayConfig(
        models={a.name: ModelRoute(pool=pool_of[a.name], router=_routing(a, gw)) for a in apps},
        replicas=gw.num_replicas,
    )
    applications.append(
        {
            "name": GATEWAY_APP,
            "route_prefix": "/",
            "import_path": GATEWAY_IMPORT_PATH,
            "args": {"sink": apps[0].build.sink.model_dump(mode="json")},
            "runtime_env": {"env_vars": {**(gateway_env or {}), PEPPER_ENV: key_pepper}},
            "deployments": [_deployment(ROUTER_DEPLOYMENT, gw, gateway.model_dump(mode="json"))],
        }
    )
    for pool in pools:
        applications.append(
            {
                "name": pool.name,
                "route_prefix": None,
                "import_path": POOL_IMPORT_PATH,
                "args": pool.args.model_dump(mode="json"),
                "deployments": [_deployment(SERVER_DEPLOYMENT, pool.options, pool.server.model_dump(mode="json"))],
            }
        )
    return {"http_options": {"host": http_host, "port": http_port}, "applications": applications}


def _routing(app: AppSpec, gateway: DeploymentOptions) -> RouterConfig:
    update = {"max_new_tokens": app.build.max_new_tokens, "replicas": gateway.num_replicas}
    return app.router.model_copy(update=update)


def _deployment(name: str, opts: DeploymentOptions, user_config: dict[str, Any]) -> dict[str, Any]:
    actor: dict[str, Any] = {"num_cpus": opts.num_cpus}
    if opts.num_gpus:
        actor["num_gpus"] = opts.num_gpus
    if opts.resources:
        actor["resources"] = dict(opts.resources)
    out: dict[str, Any] = {
        "name": name,
        "max_ongoing_requests": opts.max_ongoing_requests,
        "ray_actor_options": actor,
        "user_config": user_config,
    }
    if opts.autoscaling is not None:
        out["autoscaling_config"] = opts.autoscaling.model_dump()
    else:
        out["num_replicas"] = opts.num_replicas
    return out
