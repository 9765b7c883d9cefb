"""Configuration of the training service and its worker process (env prefix TUNELINE_)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from tuneline.common.settings import ModelCacheSettings, ServiceSettings, TrackingSettings, TrainingHardwareSettings


class TrainingSettings(ServiceSettings, ModelCacheSettings, TrainingHardwareSettings, TrackingSettings):
    service_name: str = "training"
    http_port: int = 8103

    default_base_model: str = Field(
        default="smollm2-135m-instruct",
        description="Base model for jobs whose use case does not name one.",
    )
    max_concurrent_jobs: int = Field(
        default=1, ge=1, le=64, description="Jobs running at once across all workers sharing this database."
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

    @property
    def optuna_schema(self) -> str:
        """PostgreSQL schema of Optuna's tables for this service's studies (created by migration 0010).

        Not the service schema itself: Optuna records its own Alembic revision in a table named alembic_version, the
        name of the service's migration record, and would take ours for a storage schema it does not know.
        """
        return f"{self.db_schema}_optuna"
