"""Monitoring service configuration (environment variables TUNELINE_<FIELD>)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator

from tuneline.common.settings import ServiceSettings
from tuneline.monitoring.rollups.pricing import PriceTable


class MonitoringSettings(ServiceSettings):
    service_name: str = "monitoring"
    http_port: int = 8106

    bucket_seconds: int = Field(default=60, ge=1, le=3600, description="Width of a roll-up time bucket.")
    ingest_max_batch: int = Field(
        default=5000, ge=1, le=50_000, description="Inference events taken from Kafka per batch (bounds memory)."
    )
    ingest_batch_timeout_ms: int = Field(
        default=200, ge=1, le=10_000, description="Longest wait for a batch to fill before it is processed."
    )
    ingest_fetch_min_bytes: int = Field(
        default=256_000, ge=1, description="Bytes the broker gathers before answering an ingest fetch."
    )
    raw_retention_hours: float = Field(
        default=168.0, gt=0, description="How long raw inference events (with any logged prompt) are kept."
    )
    price_table: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {"*": {"per_gpu_second": 0.0}},
        description='Prices per model (JSON), e.g. {"*": {"per_gpu_second": 0.0006}}; "*" prices the rest.',
    )
    evaluation_interval_s: float = Field(
        default=15.0, gt=0, description="How often alert rules and the canary guard are evaluated."
    )
    drift_interval_s: float = Field(default=3600.0, gt=0, description="How often drift is evaluated.")
    schedule_interval_s: float = Field(
        default=60.0, gt=0, description="How often policies with periodic retraining are checked for a due retrain."
    )
    drift_window_hours: float = Field(default=24.0, gt=0, description="Live window compared with the reference.")
    canary_window_minutes: float = Field(default=15.0, gt=0, description="Window the canary guard compares.")
    canary_min_requests: int = Field(default=200, ge=1, description="Requests needed on each arm before judging.")
    current_window_minutes: float = Field(default=5.0, gt=0, description="Window of 'current' figures and gauges.")
    webhook_url: str | None = Field(default=None, description="Slack-compatible webhook for alert notifications.")
    smtp_host: str | None = Field(default=None, description="SMTP server for alert e-mails (off when unset).")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_sender: str = Field(default="tuneline@localhost", description="From address of alert e-mails.")
    smtp_recipients: list[str] = Field(default_factory=list, description="Recipients of alert e-mails.")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    dashboard_url: str | None = Field(default=None, description="Base URL linked from notifications.")
    run_background_loops: bool = Field(
        default=True, description="Run the periodic evaluation loops (tests drive them directly)."
    )

    @field_validator("price_table")
    @classmethod
    def _valid_prices(cls, value: dict[str, Any]) -> dict[str, Any]:
        PriceTable.from_mapping(value)  # raises naming the bad entry
        return value

    def prices(self) -> PriceTable:
        return PriceTable.from_mapping(self.price_table)
