"""Settings shared by every service: one pydantic-settings class per service extends `ServiceSettings`.

Every variable has the ``TUNELINE_`` prefix and is declared exactly once here or in a service's settings class.
Invalid configuration fails at start with a message naming the variable; placeholder secrets are refused outside
development.
"""

from __future__ import annotations

from typing import Literal, Self, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Secrets that ship in examples and must never reach production.
DEV_JWT_SECRET = "tuneline-development-only-signing-key"
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development", DEV_JWT_SECRET})


class ConfigurationError(RuntimeError):
    """Configuration is invalid; the message names the environment variable at fault."""


class ServiceSettings(BaseSettings):
    """Configuration common to all services. Subclasses set ``service_name`` and add their own fields."""

    model_config = SettingsConfigDict(env_prefix="TUNELINE_", extra="ignore", validate_default=True)

    service_name: str = Field(default="tuneline", description="Name of this service (logs, traces, producer).")
    environment: Literal["development", "test", "production"] = Field(
        default="development", description="development and test allow the dev token issuer."
    )
    http_host: str = Field(default="127.0.0.1", description="Interface the HTTP API listens on.")
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

    object_store_url: str = Field(
        default="file://./.tuneline/objects",
        description="file:///dir (local) or s3://bucket[/prefix] (S3/MinIO).",
    )
    s3_endpoint: str | None = Field(default=None, description="host:port of the S3 endpoint (MinIO, SeaweedFS).")
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = Field(default=True, description="Use TLS to talk to S3.")
    s3_region: str | None = None

    jwt_issuer: str = Field(default="tuneline-dev", description="Expected `iss` of bearer tokens.")
    jwt_audience: str = Field(default="tuneline", description="Expected `aud` of bearer tokens.")
    jwt_secret: SecretStr | None = Field(default=None, description="HS256 key (the dev issuer).")
    jwt_public_key: str | None = Field(default=None, description="PEM public key for RS256/ES256 tokens.")
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["HS256"])

    otlp_endpoint: str | None = Field(default=None, description="OTLP/HTTP collector URL; tracing export off if unset.")
    ray_address: str | None = Field(default=None, description="Ray cluster address; local Ray when unset.")

    @model_validator(mode="after")
    def _check_secrets(self) -> Self:
        if self.jwt_secret is None and self.jwt_public_key is None:
            if self.environment == "production":
                raise ValueError("TUNELINE_JWT_PUBLIC_KEY or TUNELINE_JWT_SECRET must be set in production")
            self.jwt_secret = SecretStr(DEV_JWT_SECRET)
        if self.environment == "production":
            if self.jwt_secret is not None and self.jwt_secret.get_secret_value() in PLACEHOLDER_SECRETS:
                raise ValueError("TUNELINE_JWT_SECRET is a placeholder; set a real secret in production")
            secret = self.s3_secret_key.get_secret_value() if self.s3_secret_key else None
            if self.object_store_url.startswith("s3://") and (secret is None or secret in PLACEHOLDER_SECRETS):
                raise ValueError("TUNELINE_S3_SECRET_KEY is missing or a placeholder; set a real secret in production")
        return self

    @property
    def db_schema(self) -> str:
        """PostgreSQL schema this service owns."""
        return self.service_name


S = TypeVar("S", bound=ServiceSettings)


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
        raise ConfigurationError("invalid configuration: " + "; ".join(problems)) from exc
