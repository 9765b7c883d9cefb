"""Configuration of the training service and its worker process (env prefix TUNELINE_)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from tuneline.common.settings import (
    ModelCacheSettings,
    ServiceSettings,
    TrackingSettings,
    TrainingHardwareSettings,
    ray_resources,
)


class TrainingSettings(ServiceSettings, ModelCacheSettings, TrainingHardwareSettings, TrackingSettings):
    service_name: str = "training"
    http_port: int = 8103

    default_base_model: str = Field(
        default="smollm2-135m-instruct",
        description="Base model for jobs whose use case does not name one.",
    )
    worker_pool: str = Field(
        default="default",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="The pool this worker belongs to (e.g. 'gpu-a100', 'cpu'): workers of one kind of machine, "
        "sharing one concurrency limit.",
    )
    max_concurrent_jobs: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Jobs running at once across the workers of this worker's pool (TUNELINE_WORKER_POOL); each "
        "pool has its own limit.",
    )
    worker_max_jobs: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Jobs one worker runs at once (e.g. 1 on a one-GPU machine); unset: up to the pool's limit.",
    )
    worker_stop_grace_s: float = Field(
        default=240.0,
        gt=0,
        le=3600,
        description="On SIGTERM, how long a worker waits for its jobs to checkpoint and go back to the queue before "
        "it stops them (keep it below the pod's terminationGracePeriodSeconds).",
    )
    worker_poll_interval_s: float = Field(
        default=2.0, gt=0, le=60, description="How often an idle worker looks for jobs."
    )
    heartbeat_interval_s: float = Field(default=5.0, gt=0, le=300, description="How often a worker stamps its jobs.")
    heartbeat_timeout_s: float = Field(
        default=60.0, gt=0, le=3600, description="A running job without a heartbeat this long has lost its worker."
    )
    max_job_attempts: int = Field(
        default=3, ge=1, le=20, description="Worker losses a job survives (resuming from its last checkpoint)."
    )
    job_workdir: str = Field(default="./.tuneline/training", description="Local scratch space of the worker.")
    ray_local: bool = Field(
        default=False,
        description="Run recipes in a local Ray instance when TUNELINE_RAY_ADDRESS is unset (else in subprocesses).",
    )
    training_ray_num_cpus: float = Field(
        default=1.0,
        ge=0,
        le=1024,
        description="CPUs each training job's Ray task reserves (a scheduling budget, not a limit).",
    )
    training_ray_num_gpus: Literal["auto"] | float = Field(
        default="auto",
        description="GPUs each training job's Ray task reserves: a number >= 0, or 'auto' (one GPU when the Ray "
        "cluster has GPUs, none otherwise).",
    )
    training_ray_resources: str = Field(
        default="{}",
        description='Ray custom resources each training job\'s task requires, as a JSON object (`{"tuneline_worker": '
        "1}`): jobs then run only on nodes started with them (`ray start --resources=...`); "
        "a head started without them holds none.",
    )
    worker_torch_threads: int | None = Field(
        default=None, ge=1, le=256, description="torch threads per training run (default: torch's choice)."
    )
    study_sweep_interval_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How often the API process looks over running hyperparameter studies (trials to record in "
        "Optuna, trials to queue): a backstop for the job events that drive studies, and what resumes them at start.",
    )

    # Notifications on job start, finish and failure (off unless a webhook URL or an SMTP host with recipients is set).
    notify_webhook_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="Slack-compatible webhook that receives a message when a job starts, succeeds, fails or is "
        "cancelled (off when unset).",
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for job e-mails (off when unset).")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_username: str | None = Field(default=None, description="SMTP login name (no login when unset).")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP login password.")
    smtp_sender: str = Field(default="tuneline@localhost", description="From address of job e-mails.")
    notify_recipients: list[str] = Field(
        default_factory=list, description="Recipients of job e-mails (needed, with smtp_host, to send e-mail)."
    )
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS.")

    @field_validator("training_ray_num_gpus")
    @classmethod
    def _gpus_not_negative(cls, value: Literal["auto"] | float) -> Literal["auto"] | float:
        if value != "auto" and value < 0:
            raise ValueError(f"must be 'auto' or a number >= 0, got {value}")
        return value

    @field_validator("training_ray_resources")
    @classmethod
    def _resources_parse(cls, value: str) -> str:
        ray_resources(value)
        return value

    def training_resources(self) -> dict[str, float]:
        """TUNELINE_TRAINING_RAY_RESOURCES as a dict: custom resource -> amount per training task."""
        return ray_resources(self.training_ray_resources)

    @property
    def jobs_per_worker(self) -> int:
        """Jobs this worker runs at once: its own cap, never above its pool's limit."""
        return min(self.worker_max_jobs or self.max_concurrent_jobs, self.max_concurrent_jobs)

    @property
    def optuna_schema(self) -> str:
        """PostgreSQL schema of Optuna's tables for this service's studies (created by migration 0010).

        Not the service schema itself: Optuna records its own Alembic revision in a table named alembic_version, the
        name of the service's migration record, and would take ours for a storage schema it does not know.
        """
        return f"{self.db_schema}_optuna"
