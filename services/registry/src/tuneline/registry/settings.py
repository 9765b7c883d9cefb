"""Configuration of the registry service (environment variables TUNELINE_<FIELD>)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from tuneline.common.settings import PLACEHOLDER_SECRETS, ServiceSettings

DEV_KEY_PEPPER = "tuneline-dev-key-pepper-not-for-production-use"


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    http_port: int = 8105

    key_pepper: SecretStr = Field(
        default=SecretStr(DEV_KEY_PEPPER),
        description="Server secret mixed into every inference key hash (>= 32 bytes); never stored in the database.",
    )
    serving_backend: Literal["ray", "none"] = Field(
        default="ray", description="'ray' deploys models on Ray Serve; 'none' keeps deployments as records only."
    )
    serve_http_host: str = Field(default="127.0.0.1", description="Interface Ray Serve's HTTP proxy listens on.")
    serve_http_port: int = Field(default=8000, ge=1, le=65535, description="Port of Ray Serve's HTTP proxy.")
    serve_public_url: str | None = Field(
        default=None, description="URL clients reach Ray Serve at, when not http://<serve_http_host>:<port>."
    )
    model_cache_dir: str | None = Field(
        default=None,
        description="Where converted base models live (as the training service writes them); "
        "default ~/.cache/tuneline/models or TUNELINE_MODEL_CACHE.",
    )
    base_model_dirs: str = Field(
        default="{}", description="JSON object mapping base-model references to local model directories."
    )
    adapter_cache_dir: str = Field(
        default="./.tuneline/adapters", description="Local directory adapters are fetched into before serving."
    )
    max_loaded_versions: int = Field(default=4, ge=1, le=64, description="Adapters kept per model replica (LRU).")
    serve_torch_threads: int | None = Field(default=None, ge=1, description="torch threads per model replica.")
    model_replicas: int = Field(default=1, ge=1, le=64, description="Model server replicas per deployed model.")
    max_new_tokens: int = Field(default=512, ge=1, description="Upper bound on tokens generated per request.")
    price_input_per_1k: float = Field(default=0.0, ge=0, description="Cost attributed per 1,000 prompt tokens.")
    price_output_per_1k: float = Field(default=0.0, ge=0, description="Cost attributed per 1,000 output tokens.")
    inference_sink: Literal["kafka", "log"] = Field(
        default="kafka", description="Where Ray routers send inference records: Kafka (to monitoring) or the log."
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

    @field_validator("base_model_dirs")
    @classmethod
    def _dirs_parse(cls, value: str) -> str:
        parsed = json.loads(value)
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise ValueError("must be a JSON object of reference -> directory")
        return value

    @model_validator(mode="after")
    def _check_pepper(self) -> RegistrySettings:
        pepper = self.key_pepper.get_secret_value()
        if len(pepper.encode()) < 32:
            raise ValueError("TUNELINE_KEY_PEPPER must be at least 32 bytes")
        if self.environment == "production" and (pepper == DEV_KEY_PEPPER or pepper in PLACEHOLDER_SECRETS):
            raise ValueError("TUNELINE_KEY_PEPPER is the development default or a placeholder; set a real secret")
        return self

    def base_model_map(self) -> dict[str, str]:
        mapping: dict[str, str] = json.loads(self.base_model_dirs)
        return mapping

    def fine_tune_models(self) -> set[str]:
        listed = {m.strip() for m in self.openai_fine_tune_models.split(",") if m.strip()}
        return listed | set(self.base_model_map())

    def serve_url(self) -> str:
        return self.serve_public_url or f"http://{self.serve_http_host}:{self.serve_http_port}"
