"""A complete, realistic intake form that tests copy and change one field at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

BASE_FORM: dict[str, Any] = {
    "title": "Classify maintenance tickets",
    "industry": "Manufacturing",
    "business_unit": "Plant Operations",
    "problem_statement": "Technicians spend minutes routing each maintenance ticket to the right crew.",
    "objectives": [
        {
            "statement": "Route tickets automatically",
            "kpis": [{"name": "triage time", "target": 2, "unit": "minutes", "baseline": 10, "direction": "decrease"}],
        }
    ],
    "data_sources": [
        {"name": "maintenance tickets", "kind": "tickets", "volume_estimate": 4000, "owner": "ops-data"},
    ],
    "sensitivity": {"pii": False, "regulatory": False, "proprietary": True},
    "model_type": "text",
    "task_type": "classification",
    "candidate_base_model": "HuggingFaceTB/SmolLM2-135M-Instruct",
    "fine_tuning_method": "LoRA",
    "evaluation_metrics": ["Accuracy", "F1 Score"],
    "expected_outcome": "Triage time down from 10 to 2 minutes",
    "owner": "alice",
    "stakeholders": [{"name": "Bob", "role": "SME", "email": "bob@plant.example"}],
    "examples": [
        {"input": "Hydraulic press 4 leaking oil near the main cylinder", "desired_output": "hydraulics"},
        {"input": "Conveyor belt B stops every few minutes, motor hot", "desired_output": "electrical"},
        {"input": "Robot arm 2 misses pick positions by 5 mm after restart", "desired_output": "calibration"},
    ],
    "request_volume": {"requests_per_day": 2000},
    "latency": {"p95_ms": 2000, "interactive": True},
    "time_savings": {"minutes_saved_per_task": 3, "hourly_cost_usd": 60},
}


@pytest.fixture
def form_data() -> Callable[..., dict[str, Any]]:
    """Build a fresh copy of the base form with top-level fields replaced (None removes a field)."""

    def build(**changes: Any) -> dict[str, Any]:
        data = copy.deepcopy(BASE_FORM)
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    return build
