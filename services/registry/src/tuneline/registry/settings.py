"""Configuration of the registry service (environment variables TUNELINE_<FIELD>)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from tuneline.common.settings import ModelCacheSettings, ServiceSettings, TrackingSettings, ray_resources, server_secret
from tuneline.registry.serving.spec import RATE_LIMIT_SCHEMA_ENV, RATE_LIMIT_URL_ENV

#: The pepper earlier releases used when none was set; refused like any placeholder.
DEV_KEY_PEPPER = "tuneline-dev-key-pepper-not-for-production-use"


class RegistrySettings(ServiceSettings, ModelCacheSettings, TrackingSettings):
    service_name: str = "registry"
    http_port: int = 8105

    key_pepper: SecretStr | None = Field(
        default=None,
        description="Server secret mixed into every inference key hash (>= 32 bytes); never stored in the database. "
        "Unset: generated once in TUNELINE_STATE_DIR/key-pepper (development and test; required in production).",
    )
    serving_backend: Literal["ray", "none"] = Field(
        default="ray", description="'ray' deploys models on Ray Serve; 'none' keeps deployments as records only."
    )
    serve_http_host: str = Field(default="127.0.0.1", description="Interface Ray Serve's HTTP proxy listens on.")
    serve_http_port: int = Field(default=8000, ge=1, le=65535, description="Port of Ray Serve's HTTP proxy.")
    serve_proxy_location: Literal["EveryNode", "HeadOnly"] = Field(
        default="EveryNode",
        description="Where Ray Serve runs its HTTP proxies: on every node (behind a load balancer) or on the head "
        "only (one address; also when several Ray nodes share one machine and could not all bind the port).",
    )
    serve_public_url: str | None = Field(
        default=None, description="URL clients reach Ray Serve at, when not http://<serve_http_host>:<port>."
    )
    adapter_cache_dir: str = Field(
        default="./.tuneline/adapters",
        description="The registry's own copy of adapters (and object-store base models) it pins digests from.",
    )
    replica_cache_dir: str | None = Field(
        default=None,
        description="Directory where pool replicas fetch artifacts by URI, as the same path on each Ray node (default: "
        "each node's own model cache, `serving/` under the TUNELINE_MODEL_CACHE_DIR of that node's Ray processes).",
    )
    max_loaded_versions: int = Field(
        default=4, ge=1, le=256, description="Adapters a pool replica keeps loaded (LRU) beyond those serving now."
    )
    serve_torch_threads: int | None = Field(default=None, ge=1, description="torch threads per pool replica.")
    serve_max_batch: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Requests a pool replica decodes together (continuous batching); more wait for a free row. "
        "Larger batches raise throughput until the replica's CPU or GPU is saturated, at the cost of per-request "
        "latency.",
    )
    model_replicas: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Replicas of each base-model pool (every model fine-tuned from that base shares them); "
        "the minimum when SERVE_POOL_MAX_REPLICAS enables autoscaling.",
    )
    serve_pool_max_replicas: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Enables pool autoscaling between MODEL_REPLICAS and this many replicas.",
    )
    serve_pool_target_ongoing_requests: float = Field(
        default=16.0, gt=0, description="Autoscaling target: ongoing requests per pool replica."
    )
    serve_pool_num_cpus: float = Field(
        default=1.0, gt=0, description="CPUs Ray reserves per pool replica (a scheduling budget, not a limit)."
    )
    serve_pool_num_gpus: float = Field(default=0.0, ge=0, description="GPUs Ray reserves per pool replica.")
    serve_pool_resources: str = Field(
        default="{}",
        description='Ray custom resources each pool replica requires, as a JSON object (`{"tuneline_worker": 1}`): '
        "replicas then run only on nodes started with them (`ray start --resources=...`); "
        "a head started without them holds none.",
    )
    serve_gateway_num_cpus: float = Field(
        default=0.25, gt=0, description="CPUs Ray reserves per gateway replica (HTTP, keys, canary routing)."
    )
    serve_gateway_replicas: int = Field(default=1, ge=1, le=64, description="Gateway replicas.")
    serve_apply_timeout_s: float = Field(
        default=180.0,
        gt=0,
        le=3600,
        description="How long a deployment change waits for Serve to run it (a new pool replica loads its base "
        "model first) before it fails and the previous plan keeps serving.",
    )
    serve_max_ongoing_requests: int = Field(
        default=64,
        ge=1,
        description="Requests one gateway or pool replica accepts at once (Serve's default 5 "
        "collapses throughput under concurrency).",
    )
    max_new_tokens: int = Field(default=512, ge=1, description="Upper bound on tokens generated per request.")
    price_input_per_1k: float = Field(default=0.0, ge=0, description="Cost attributed per 1,000 prompt tokens.")
    price_output_per_1k: float = Field(default=0.0, ge=0, description="Cost attributed per 1,000 output tokens.")
    inference_sink: Literal["kafka", "log"] = Field(
        default="kafka", description="Where Ray routers send inference records: Kafka (to monitoring) or the log."
    )
    inference_log_max_pending: int = Field(
        default=100_000,
        ge=1,
        le=10_000_000,
        description="Inference records a router replica holds while the broker is unreachable; past that the oldest "
        'waiting record is dropped and counted (tuneline_inference_logs_total{outcome="dropped_overflow"}).',
    )
    inference_log_retention_s: float = Field(
        default=600.0,
        ge=0,
        le=86_400,
        description="How long a router replica keeps acknowledged inference records to send again when the broker "
        "turns out to be a new generation (a memory broker restarted and lost them).",
    )

    serving_sync_interval_s: float = Field(
        default=5.0,
        gt=0,
        description="How often the serving reconciler checks for changes another registry process made (a "
        "change made here wakes it at once).",
    )
    serving_sync_min_backoff_s: float = Field(
        default=0.5, gt=0, description="First retry delay after serving refused the desired set (doubles per try)."
    )
    serving_sync_max_backoff_s: float = Field(
        default=30.0, gt=0, description="Longest delay between retries while serving refuses the desired set."
    )

    export_workers: int = Field(
        default=1,
        ge=0,
        le=16,
        description="Exports (merged, GGUF, adapter) this registry process builds at once, each in a process of its "
        "own; 0: this process only queues them (another registry process with workers builds them).",
    )
    export_workdir: str = Field(
        default="./.tuneline/exports", description="Scratch space of export processes (removed after each export)."
    )
    export_verify_max_new_tokens: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Tokens generated per check prompt when an export is compared with the served model.",
    )
    export_torch_threads: int | None = Field(default=None, ge=1, description="torch threads per export process.")
    export_timeout_s: float = Field(
        default=3600.0, gt=0, description="An export process running longer is stopped and the export failed."
    )
    export_heartbeat_interval_s: float = Field(
        default=5.0, gt=0, description="How often a running export is stamped as alive."
    )
    export_stale_after_s: float = Field(
        default=60.0,
        gt=0,
        description="A running export not stamped for this long lost its registry process: it is queued again.",
    )
    export_max_attempts: int = Field(
        default=2, ge=1, le=10, description="Starts an export gets before a lost one is failed instead of re-queued."
    )
    export_poll_interval_s: float = Field(
        default=5.0, gt=0, description="How often an idle export runner looks for queued exports (a new one wakes it)."
    )

    rate_limit_redis_url: SecretStr | None = Field(
        default=None,
        description="Redis every gateway replica counts key requests in (redis://…); unset: the registry's "
        "PostgreSQL database (table registry_rate_windows).",
    )

    intake_url: str = Field(
        default="http://127.0.0.1:8101", description="Intake service base URL (the OpenAI gateway calls it)."
    )
    data_url: str = Field(default="http://127.0.0.1:8102", description="Data service base URL (OpenAI gateway).")
    training_url: str = Field(
        default="http://127.0.0.1:8103", description="Training service base URL (OpenAI gateway)."
    )
    openai_fine_tune_models: str = Field(
        default="smollm2-135m-instruct,smollm2-360m-instruct",
        description="Comma-separated base models /v1/fine_tuning/jobs accepts (besides BASE_MODEL_DIRS keys).",
    )
    openai_base_learning_rate: float = Field(
        default=2e-4, gt=0, description="Learning rate that learning_rate_multiplier 1.0 stands for."
    )
    openai_dataset_wait_s: float = Field(
        default=30.0,
        ge=0,
        description="How long job creation waits for the training service to learn of a new file's dataset.ready.",
    )
    openai_max_file_bytes: int = Field(default=512 * 1024 * 1024, ge=1, description="Largest file /v1/files accepts.")

    @field_validator("serve_pool_resources")
    @classmethod
    def _resources_parse(cls, value: str) -> str:
        ray_resources(value)
        return value

    def pool_resources(self) -> dict[str, float]:
        """TUNELINE_SERVE_POOL_RESOURCES as a dict: custom resource -> amount per pool replica."""
        return ray_resources(self.serve_pool_resources)

    @model_validator(mode="after")
    def _check_export_stamps(self) -> RegistrySettings:
        if self.export_stale_after_s <= self.export_heartbeat_interval_s:
            raise ValueError("TUNELINE_EXPORT_STALE_AFTER_S must be longer than TUNELINE_EXPORT_HEARTBEAT_INTERVAL_S")
        return self

    @model_validator(mode="after")
    def _check_pepper(self) -> RegistrySettings:
        self.key_pepper = server_secret(
            self.key_pepper,
            variable="TUNELINE_KEY_PEPPER",
            file_name="key-pepper",
            environment=self.environment,
            http_host=self.http_host,
            state_dir=self.state_dir,
            shipped_defaults=frozenset({DEV_KEY_PEPPER}),
        )
        return self

    def pepper(self) -> bytes:
        """The inference-key pepper (resolved at start: set, or generated in the state directory)."""
        assert self.key_pepper is not None, "resolved by _check_pepper"
        return self.key_pepper.get_secret_value().encode()

    def fine_tune_models(self) -> set[str]:
        listed = {m.strip() for m in self.openai_fine_tune_models.split(",") if m.strip()}
        return listed | set(self.base_model_map())

    def rate_limit_env(self) -> dict[str, str]:
        """The gateway's shared rate-limit store, as environment variables of its runtime (the URL has secrets)."""
        if self.rate_limit_redis_url is not None:
            return {RATE_LIMIT_URL_ENV: self.rate_limit_redis_url.get_secret_value()}
        return {RATE_LIMIT_URL_ENV: self.database_url, RATE_LIMIT_SCHEMA_ENV: self.db_schema}

    def serve_url(self) -> str:
        return self.serve_public_url or f"http://{self.serve_http_host}:{self.serve_http_port}"
