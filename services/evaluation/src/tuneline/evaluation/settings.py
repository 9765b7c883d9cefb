"""Configuration of the evaluation service and its runner process (env prefix TUNELINE_)."""

from __future__ import annotations

from pydantic import Field, field_validator

from tuneline.common.settings import ModelCacheSettings, ServiceSettings, TrackingSettings
from tuneline.evaluation.metrics.plugins import CustomMetricError, load_custom_metric


class EvaluationSettings(ServiceSettings, ModelCacheSettings, TrackingSettings):
    service_name: str = "evaluation"
    http_port: int = 8104

    runner_poll_interval_s: float = Field(default=2.0, gt=0, le=60, description="How often an idle runner polls.")
    runner_heartbeat_interval_s: float = Field(
        default=10.0, gt=0, le=600, description="How often a runner stamps the evaluation it is running."
    )
    runner_stale_after_s: float = Field(
        default=120.0, gt=0, le=86400, description="A running evaluation without a heartbeat this long lost its runner."
    )
    runner_max_attempts: int = Field(
        default=3, ge=1, le=20, description="Runner losses an evaluation survives before it is marked failed."
    )
    runner_workdir: str = Field(default="./.tuneline/evaluation", description="Local scratch space of the runner.")
    runner_torch_threads: int | None = Field(
        default=None, ge=1, le=256, description="torch threads per evaluation (default: torch's choice)."
    )
    eval_max_records: int = Field(
        default=200, ge=1, le=100_000, description="Held-out records evaluated (the first N of the test split)."
    )
    eval_max_new_tokens: int = Field(default=64, ge=1, le=4096, description="Generation budget per held-out record.")
    eval_batch_size: int = Field(default=8, ge=1, le=512, description="Prompts per batched generate() call.")
    gate_max_perplexity_ratio: float = Field(
        default=1.5, ge=1.0, description="Forgetting gate: largest allowed tuned/base general-text perplexity."
    )
    gate_max_suite_drop: float = Field(
        default=0.10, ge=0.0, le=1.0, description="Forgetting gate: largest allowed general-suite score drop (0-1)."
    )
    gate_suite_limit: int | None = Field(
        default=None, ge=1, description="Use only the first N general-suite items (None: all)."
    )
    gate_general_text_limit: int | None = Field(
        default=None, ge=1, description="Use only the first N general-text paragraphs (None: all)."
    )
    custom_metrics: list[str] = Field(
        default_factory=list,
        description='Custom metric plug-ins ("package.module:function", see metrics/plugins.py) every evaluation '
        "reports besides its task's metrics; each must import at start.",
    )
    review_sample_size: int = Field(
        default=20, ge=1, le=1000, description="Held-out records drawn for blind human review per evaluation."
    )

    @field_validator("custom_metrics")
    @classmethod
    def _custom_metrics_import(cls, value: list[str]) -> list[str]:
        for path in value:
            try:
                load_custom_metric(path)
            except CustomMetricError as error:  # a ValueError, so the settings error names the field
                raise ValueError(str(error)) from error
        return value
