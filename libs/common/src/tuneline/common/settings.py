"""Settings shared by every service: one pydantic-settings class per service extends `ServiceSettings`.

Every variable has the ``TUNELINE_`` prefix and is declared exactly once here or in a service's settings class.
Invalid configuration fails at start with a message naming the variable.

The token signing secret (``TUNELINE_JWT_SECRET``) must be strong — at least 32 bytes and none of the placeholders
that ship in examples — in every environment. The one exception is ``development`` on a loopback interface, where
nothing off the machine can reach the service. With no secret at all, development and test use one generated at
random once and kept in ``TUNELINE_STATE_DIR/jwt-secret`` (mode 0600), so the embedded stack, `tuneline token`
and every process started from the same state directory agree on it without any built-in value.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
from pathlib import Path
from typing import Literal, Self, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tuneline.common.costing import DEFAULT_PROFILE_NAMES
from tuneline.common.limits import BodyLimits

#: The signing secret earlier releases used when none was set; refused like any placeholder.
DEV_JWT_SECRET = "tuneline-development-only-signing-key"
#: Secrets that ship in examples and must never protect a reachable service.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development", DEV_JWT_SECRET})
#: Shortest signing secret accepted outside loopback development (HS256 wants a key as long as its hash).
MIN_SECRET_BYTES = 32
#: The generated development signing secret, inside TUNELINE_STATE_DIR.
JWT_SECRET_FILE = "jwt-secret"


class ConfigurationError(RuntimeError):
    """Configuration is invalid; the message names the environment variable at fault."""


def weak_secret(value: str) -> str | None:
    """Why `value` cannot protect a reachable service (a placeholder, or shorter than 32 bytes), or None."""
    if value in PLACEHOLDER_SECRETS or value.strip().lower() in PLACEHOLDER_SECRETS:
        return "is a placeholder or shipped default"
    if len(value.encode()) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    return None


def is_loopback(host: str) -> bool:
    """The interface only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name (or 0.0.0.0's relatives) may resolve to anything: not loopback


def state_secret(path: Path) -> str:
    """The secret kept in `path` (mode 0600), generated at random on first use.

    Safe when several processes start at once: the secret is written to a private temporary file and linked into
    place, which fails if another process got there first; everyone then reads the one that won.
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48) + "\n")
            with contextlib.suppress(FileExistsError):  # another process linked its secret first: read that one
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ValueError(f"{path} is readable by other users (mode {mode:o}); chmod 600 it or delete it")
    return path.read_text().strip()


def server_secret(
    value: SecretStr | None,
    *,
    variable: str,
    file_name: str,
    environment: str,
    http_host: str,
    state_dir: str,
    shipped_defaults: frozenset[str] = frozenset(),
) -> SecretStr:
    """A server-side secret under the platform's one rule (the signing secret's, see the module docstring).

    Unset: production refuses to start; development and test generate one at random, kept in
    ``TUNELINE_STATE_DIR/<file_name>`` (0600) so every process of one state directory agrees. Set: a placeholder,
    an earlier release's built-in default or fewer than 32 bytes is refused in every environment except
    development on a loopback interface. The refusal names the variable, never the value.
    """
    if value is None:
        if environment == "production":
            raise ValueError(f"{variable} must be set in production (at least {MIN_SECRET_BYTES} random bytes)")
        try:
            return SecretStr(state_secret(Path(state_dir) / file_name))
        except OSError as exc:
            raise ValueError(
                f"TUNELINE_STATE_DIR: cannot keep the generated {variable} there ({exc.strerror}); "
                f"set {variable} or a writable TUNELINE_STATE_DIR"
            ) from exc
    raw = value.get_secret_value()
    weakness = "is a shipped default" if raw in shipped_defaults else weak_secret(raw)
    if weakness is not None and not (environment == "development" and is_loopback(http_host)):
        where = (
            f"a development service on a non-loopback TUNELINE_HTTP_HOST ({http_host})"
            if environment == "development"
            else f"the {environment} environment"
        )
        raise ValueError(
            f"{variable} {weakness}, so {where} refuses it; set at least {MIN_SECRET_BYTES} random bytes "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    return value


class ObjectStoreSettings(BaseSettings):
    """Where artifacts live: part of every service's settings, and read on its own by tools that only need the
    store (`tuneline model upload-base`), so the variables are declared here only."""

    model_config = SettingsConfigDict(env_prefix="TUNELINE_", extra="ignore")

    object_store_url: str = Field(
        default="file://./.tuneline/objects",
        description="file:///dir (local) or s3://bucket[/prefix] (S3/MinIO).",
    )
    s3_endpoint: str | None = Field(default=None, description="host:port of the S3 endpoint (MinIO, SeaweedFS).")
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = Field(default=True, description="Use TLS to talk to S3.")
    s3_region: str | None = None


class ModelCacheSettings(BaseSettings):
    """Where base models come from and where each node keeps them: shared by training workers, evaluation runners
    and the registry (which hands serving replicas the same references).

    A mixin of the settings of the services that load base models, and read on its own by worker processes
    (`tuneline.common.base_models.default_cache_dir`): the variables are declared here only.
    """

    model_config = SettingsConfigDict(env_prefix="TUNELINE_", extra="ignore")

    model_cache_dir: str | None = Field(
        default=None,
        description="Node-local directory where base models are converted once (the shipped SmolLM2) or fetched "
        "from the object store by URI, and found again (training, evaluation and serving); default "
        "~/.cache/tuneline/models.",
    )
    base_model_dirs: str = Field(
        default="{}",
        description="JSON object mapping base-model references to model directories or object-store URIs "
        '(`{"smollm2-135m-instruct": "s3://bucket/models/smollm2"}`); training, evaluation and serving all '
        "load a mapped reference from there.",
    )
    allow_unverified_base_models: bool = Field(
        default=False,
        description="Accept a base model from the object store (or a file:// URI) that has no "
        "tuneline-manifest.json (see `tuneline model upload-base`); its files are then used unchecked. Off: "
        "such a base model is refused, naming the URI.",
    )

    @field_validator("base_model_dirs")
    @classmethod
    def _dirs_parse(cls, value: str) -> str:
        try:
            parsed = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"must be a JSON object of reference -> directory or URI ({exc})") from None
        if not isinstance(parsed, dict) or not all(isinstance(v, str) and v for v in parsed.values()):
            raise ValueError("must be a JSON object of reference -> directory or URI")
        return value

    def model_cache_path(self) -> Path:
        return Path(self.model_cache_dir) if self.model_cache_dir else Path.home() / ".cache" / "tuneline" / "models"

    def base_model_map(self) -> dict[str, str]:
        """TUNELINE_BASE_MODEL_DIRS as a dict: reference -> directory or URI."""
        mapping: dict[str, str] = json.loads(self.base_model_dirs)
        return mapping


class TrainingHardwareSettings(BaseSettings):
    """The hardware training runs on, costed with ``tuneline.common.costing``.

    A mixin of the settings of training (which estimates and measures its jobs on it) and intake (which costs a
    use case's training on it), so a use case and its first job are costed on the same profile.
    """

    model_config = SettingsConfigDict(env_prefix="TUNELINE_", extra="ignore")

    hardware_profile: str = Field(
        default="cpu-2core",
        description="Hardware profile training workers run on (one of "
        + ", ".join(DEFAULT_PROFILE_NAMES)
        + "); training estimates and measures jobs on it, intake costs use cases on it.",
    )

    @field_validator("hardware_profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        if value not in DEFAULT_PROFILE_NAMES:
            raise ValueError(f"unknown hardware profile {value!r}; known: {', '.join(sorted(DEFAULT_PROFILE_NAMES))}")
        return value


class TrackingSettings(BaseSettings):
    """Where jobs, evaluations and model versions are also logged for people who work in MLflow
    (``tuneline.common.tracking``): a mixin of the settings of training, evaluation and the registry.

    The MLflow client reads its credentials and HTTP limits from MLflow's own variables (MLFLOW_TRACKING_USERNAME,
    MLFLOW_TRACKING_PASSWORD, MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_HTTP_REQUEST_TIMEOUT,
    MLFLOW_HTTP_REQUEST_MAX_RETRIES), so they are not declared again here.
    """

    model_config = SettingsConfigDict(env_prefix="TUNELINE_", extra="ignore")

    mlflow_tracking_uri: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="MLflow tracking server (http(s)://host:port) that every finished job, evaluation and model "
        "version is also logged to; tracking is off when unset. A server that is down or slow never fails the "
        "pipeline: the logging is skipped with a warning and counted in tuneline_tracking_failures_total.",
    )
    mlflow_experiment_prefix: str = Field(
        default="tuneline",
        min_length=1,
        max_length=100,
        description="Prefix of the MLflow experiment names: one experiment per use case, <prefix>/<use case id>.",
    )

    @field_validator("mlflow_tracking_uri", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class TelemetrySettings(BaseSettings):
    """Where traces go. Separate from `ServiceSettings` so a process without a service's settings (a Ray Serve
    replica) reads the same variables without validating secrets it does not use."""

    model_config = SettingsConfigDict(env_prefix="TUNELINE_", extra="ignore", validate_default=True)

    otlp_endpoint: str | None = Field(default=None, description="OTLP/HTTP collector URL; tracing export off if unset.")
    trace_export_dir: str | None = Field(
        default=None,
        description="Also write every finished span as one JSON line to <dir>/<process>-<pid>.jsonl (tests, "
        "offline debugging without a collector).",
    )


class ServiceSettings(TelemetrySettings, ObjectStoreSettings):
    """Configuration common to all services. Subclasses set ``service_name`` and add their own fields."""

    model_config = SettingsConfigDict(env_prefix="TUNELINE_", extra="ignore", validate_default=True)

    service_name: str = Field(default="tuneline", description="Name of this service (logs, traces, producer).")
    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="development and test allow the dev token issuer; only development on a loopback "
        "TUNELINE_HTTP_HOST accepts a weak (placeholder or short) TUNELINE_JWT_SECRET.",
    )
    http_host: str = Field(default="127.0.0.1", description="Interface the HTTP API listens on.")
    state_dir: str = Field(
        default="./.tuneline",
        description="Where this process keeps generated state: the development signing secret (jwt-secret, "
        "mode 0600) when TUNELINE_JWT_SECRET is unset outside production. `tuneline up` sets it to its data "
        "directory.",
    )
    http_port: int = Field(default=8100, ge=1, le=65535, description="Port the HTTP API listens on.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO")
    log_file: str | None = Field(default=None, description="Also write JSON logs to this file.")

    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/tuneline",
        description="SQLAlchemy URL of PostgreSQL (asyncpg driver); each service uses its own schema.",
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    migrate_on_start: bool = Field(default=True, description="Apply this service's migrations at start.")

    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092", description="Comma-separated host:port list.")
    kafka_session_timeout_ms: int = Field(default=10_000, ge=1_000, le=300_000)
    kafka_fetch_max_wait_ms: int = Field(default=25, ge=0, le=5_000)
    kafka_topic_partitions: int = Field(default=4, ge=1, le=1_000)
    kafka_replication_factor: int = Field(default=1, ge=1, le=10)
    consumer_max_attempts: int = Field(default=3, ge=1, le=20, description="Handler tries before dead-letter.")
    consumer_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Consumers per subscription (capped at the partition count); each owns some partitions, so "
        "events of one partition stay in order while partitions are handled in parallel. Each extra member "
        "costs a group rebalance at start; raise it for high-rate subscriptions.",
    )

    outbox_poll_interval_s: float = Field(default=0.5, gt=0, le=60)
    outbox_batch_size: int = Field(default=500, ge=1, le=10_000)
    outbox_retention_s: float = Field(
        default=86_400,
        ge=0,
        description="How long sent events stay in the outbox. Sent events this recent are re-published when a new "
        "broker generation is detected (a memory broker restarted and lost them); consumers' inboxes drop repeats.",
    )
    broker_check_interval_s: float = Field(
        default=2.0,
        gt=0,
        le=300,
        description="How often a service checks whether the broker is a new generation (restarted, topics gone); "
        "it then re-creates topics, re-joins its consumer groups and re-publishes retained events.",
    )

    jwt_issuer: str = Field(default="tuneline-dev", description="Expected `iss` of bearer tokens.")
    jwt_audience: str = Field(default="tuneline", description="Expected `aud` of bearer tokens.")
    jwt_secret: SecretStr | None = Field(default=None, description="HS256 key (the dev issuer).")
    jwt_public_key: str | None = Field(default=None, description="PEM public key for RS256/ES256 tokens.")
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["HS256"])
    metrics_token: SecretStr | None = Field(
        default=None,
        description="When set, GET /metrics needs `Authorization: Bearer <this>` (the scraper's credential): the "
        "exposition names every team's models. Unset: /metrics is open, for networks only the scraper reaches.",
    )

    max_json_body_bytes: int = Field(
        default=1024**2, ge=1024, description="Largest JSON (or form) request body; larger ones get 413 unread."
    )
    max_upload_body_bytes: int = Field(
        default=2 * 1024**3 + 1024**2,
        ge=1024,
        description="Largest multipart upload or upload-part body (the data service also applies its own "
        "TUNELINE_MAX_PART_BYTES / TUNELINE_MAX_UPLOAD_BYTES to the content).",
    )
    max_files_body_bytes: int = Field(
        default=512 * 1024**2, ge=1024, description="Largest body sent to the OpenAI-compatible /v1/files."
    )
    max_inference_body_bytes: int = Field(
        default=1024**2, ge=1024, description="Largest inference request body (/v1/chat/completions and others)."
    )
    auth_before_body_bytes: int = Field(
        default=64 * 1024,
        ge=0,
        description="Request bodies larger than this (or of unknown length) are read only after the bearer "
        "credential checked out (401 otherwise).",
    )

    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call this API (the web console's, e.g. http://127.0.0.1:8100).",
    )
    ray_address: str | None = Field(default=None, description="Ray cluster address; local Ray when unset.")

    @model_validator(mode="after")
    def _check_secrets(self) -> Self:
        if self.jwt_secret is None and self.jwt_public_key is None:
            if self.environment == "production":
                raise ValueError("TUNELINE_JWT_PUBLIC_KEY or TUNELINE_JWT_SECRET must be set in production")
            try:
                self.jwt_secret = SecretStr(state_secret(Path(self.state_dir) / JWT_SECRET_FILE))
            except OSError as exc:
                raise ValueError(
                    f"TUNELINE_STATE_DIR: cannot keep the generated signing secret there ({exc.strerror}); "
                    "set TUNELINE_JWT_SECRET or a writable TUNELINE_STATE_DIR"
                ) from exc
        if self.jwt_secret is not None:
            weakness = weak_secret(self.jwt_secret.get_secret_value())
            if weakness is not None and not (self.environment == "development" and is_loopback(self.http_host)):
                where = (
                    f"a development service on a non-loopback TUNELINE_HTTP_HOST ({self.http_host})"
                    if self.environment == "development"
                    else f"the {self.environment} environment"
                )
                raise ValueError(
                    f"TUNELINE_JWT_SECRET {weakness}: anyone who knows it can sign admin tokens, so {where} refuses "
                    f"it; set at least {MIN_SECRET_BYTES} random bytes (python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'), the same in every service"
                )
        if self.environment == "production":
            secret = self.s3_secret_key.get_secret_value() if self.s3_secret_key else None
            if self.object_store_url.startswith("s3://") and (secret is None or secret in PLACEHOLDER_SECRETS):
                raise ValueError("TUNELINE_S3_SECRET_KEY is missing or a placeholder; set a real secret in production")
        return self

    def body_limits(self) -> BodyLimits:
        return BodyLimits(
            json=self.max_json_body_bytes,
            upload=self.max_upload_body_bytes,
            files=self.max_files_body_bytes,
            inference=self.max_inference_body_bytes,
            auth_before_bytes=self.auth_before_body_bytes,
        )

    @property
    def db_schema(self) -> str:
        """PostgreSQL schema this service owns."""
        return self.service_name


S = TypeVar("S", bound=ServiceSettings)


def ray_resources(value: str) -> dict[str, float]:
    """A JSON object of Ray custom resources (`{"tuneline_worker": 1}`) as a dict; ValueError saying what is wrong.

    Ray places a task or replica only on a node started with at least these amounts (`ray start --resources=...`):
    how training and serving are kept on worker nodes. CPU and GPU have settings of their own.
    """
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ValueError(
            f'must be a JSON object of resource name -> amount, e.g. {{"tuneline_worker": 1}} ({exc})'
        ) from None
    if not isinstance(parsed, dict):
        raise ValueError('must be a JSON object of resource name -> amount, e.g. {"tuneline_worker": 1}')
    out: dict[str, float] = {}
    for name, amount in parsed.items():
        if not name or name in ("CPU", "GPU", "memory", "object_store_memory"):
            raise ValueError(f"resource {name!r}: name a custom resource (CPU and GPU have their own settings)")
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not amount >= 0:
            raise ValueError(f"resource {name!r}: the amount must be a number >= 0, got {amount!r}")
        out[name] = float(amount)
    return out


def load_settings(cls: type[S], **overrides: object) -> S:
    """Build settings from the environment, turning validation errors into one message naming each variable."""
    try:
        return cls(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        prefix = str(cls.model_config.get("env_prefix", ""))
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"] if p != "__root__"]
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{(prefix + '_'.join(loc)).upper()}: {msg}" if loc else msg)
        # not chained: pydantic's own message repeats the input, secrets included
        raise ConfigurationError("invalid configuration: " + "; ".join(problems)) from None
