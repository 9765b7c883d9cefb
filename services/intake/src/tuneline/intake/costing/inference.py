"""Monthly inference cost, self-hosted (GPU hours) or through a per-token priced API (the prompting route).

Self-hosted:
    requests_per_month = requests_per_day × DAYS_PER_MONTH
    tokens_per_month   = requests_per_month × (input_tokens + output_tokens)
    busy_gpu_hours     = tokens_per_month / serve_tokens_per_s(model) / 3600
    billed_gpu_hours   = max(busy_gpu_hours, min_replicas × HOURS_PER_MONTH)
    cost_usd_per_month = billed_gpu_hours × usd_per_gpu_hour
An always-on replica is paid for every hour of the month whether busy or not; min_replicas = 0 models
scale-to-zero (pay only for busy hours).

API:
    cost_usd_per_month = requests_per_month × (input_tokens × usd_per_million_input
                                               + output_tokens × usd_per_million_output) / 1e6
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneline.intake.costing.hardware import ServingProfile, serve_tokens_per_s

DAYS_PER_MONTH = 365 / 12
HOURS_PER_MONTH = 24 * DAYS_PER_MONTH  # 730


@dataclass(frozen=True)
class ApiPricing:
    name: str
    usd_per_million_input: float
    usd_per_million_output: float

    def __post_init__(self) -> None:
        if self.usd_per_million_input < 0 or self.usd_per_million_output < 0:
            raise ValueError(f"API pricing {self.name!r}: prices must not be negative")


# A mid-sized hosted general model, list prices 2025; configurable like the hardware table.
DEFAULT_API_PRICING = ApiPricing("hosted-general-model", usd_per_million_input=2.50, usd_per_million_output=10.00)


@dataclass(frozen=True)
class InferenceEstimate:
    profile: str
    requests_per_month: float
    tokens_per_month: float
    busy_gpu_hours: float
    billed_gpu_hours: float
    cost_usd_per_month: float


def _check_volume(requests_per_day: float, input_tokens: int, output_tokens: int) -> None:
    for name, value in (
        ("requests_per_day", requests_per_day),
        ("input_tokens", input_tokens),
        ("output_tokens", output_tokens),
    ):
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")


def estimate_self_hosted(
    *,
    requests_per_day: float,
    input_tokens: int,
    output_tokens: int,
    parameters: int,
    profile: ServingProfile,
    min_replicas: int = 1,
) -> InferenceEstimate:
    _check_volume(requests_per_day, input_tokens, output_tokens)
    if min_replicas < 0:
        raise ValueError(f"min_replicas must not be negative, got {min_replicas}")
    requests = requests_per_day * DAYS_PER_MONTH
    tokens = requests * (input_tokens + output_tokens)
    busy = tokens / serve_tokens_per_s(profile, parameters) / 3600
    billed = max(busy, min_replicas * HOURS_PER_MONTH)
    return InferenceEstimate(
        profile=profile.name,
        requests_per_month=requests,
        tokens_per_month=tokens,
        busy_gpu_hours=busy,
        billed_gpu_hours=billed,
        cost_usd_per_month=billed * profile.usd_per_gpu_hour,
    )


def api_cost_per_month(*, requests_per_day: float, input_tokens: int, output_tokens: int, pricing: ApiPricing) -> float:
    _check_volume(requests_per_day, input_tokens, output_tokens)
    per_request = (
        input_tokens * pricing.usd_per_million_input + output_tokens * pricing.usd_per_million_output
    ) / 1_000_000
    return requests_per_day * DAYS_PER_MONTH * per_request
