"""Configuration of the intake service (environment variables TUNELINE_<FIELD>)."""

from __future__ import annotations

import json

from pydantic import Field, field_validator

from tuneline.common.costing import default_profile
from tuneline.common.settings import ServiceSettings, TrainingHardwareSettings
from tuneline.intake.costing.estimate import CostAssumptions
from tuneline.intake.costing.hardware import DEFAULT_PROFILES, load_profiles
from tuneline.intake.costing.inference import DEFAULT_API_PRICING, ApiPricing


class IntakeSettings(ServiceSettings, TrainingHardwareSettings):
    service_name: str = "intake"
    http_port: int = 8101

    cost_serving_profiles: str | None = Field(
        default=None,
        description="JSON list of serving hardware profiles (name, gpu_type, usd_per_gpu_hour, "
        "serve_tokens_per_s[, reference_parameters]) replacing the built-in planning table. Training is costed "
        "on TUNELINE_HARDWARE_PROFILE with the model the training service uses.",
    )
    cost_serving_profile: str = Field(default="l4", description="Hardware profile serving is costed on.")
    cost_serving_min_replicas: int = Field(default=1, ge=0, le=100, description="Always-on serving replicas.")
    cost_prompting_usd_per_million_input: float = Field(
        default=DEFAULT_API_PRICING.usd_per_million_input, ge=0, description="Prompting alternative: input price."
    )
    cost_prompting_usd_per_million_output: float = Field(
        default=DEFAULT_API_PRICING.usd_per_million_output, ge=0, description="Prompting alternative: output price."
    )
    portfolio_max_page_size: int = Field(default=200, ge=1, le=1000, description="Largest page a list may ask for.")

    @field_validator("cost_serving_profiles")
    @classmethod
    def _profiles_parse(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                load_profiles(json.loads(value))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"not a valid serving profile list: {exc}") from exc
        return value

    def cost_assumptions(self) -> CostAssumptions:
        profiles = load_profiles(json.loads(self.cost_serving_profiles)) if self.cost_serving_profiles else None
        assumptions = CostAssumptions(
            profiles=profiles or dict(DEFAULT_PROFILES),
            training_hardware=default_profile(self.hardware_profile),
            serving_profile=self.cost_serving_profile,
            min_replicas=self.cost_serving_min_replicas,
            prompting=ApiPricing(
                "configured-prompting",
                self.cost_prompting_usd_per_million_input,
                self.cost_prompting_usd_per_million_output,
            ),
        )
        assumptions.profile(self.cost_serving_profile)  # fail at start, naming the profile, not per request
        return assumptions
