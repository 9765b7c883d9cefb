from __future__ import annotations

import json

import pytest

from tuneline.common.settings import ConfigurationError, load_settings
from tuneline.intake.settings import IntakeSettings


def test_cost_assumptions_come_from_configuration():
    rows = [
        {
            "name": "onprem",
            "gpu_type": "RTX 4090",
            "usd_per_gpu_hour": 0.4,
            "serve_tokens_per_s": 3000,
        }
    ]
    settings = IntakeSettings(
        cost_serving_profiles=json.dumps(rows),
        hardware_profile="nvidia-l4",
        cost_serving_profile="onprem",
        cost_prompting_usd_per_million_input=1.0,
        cost_serving_min_replicas=0,
    )
    a = settings.cost_assumptions()
    assert a.profile("onprem").usd_per_gpu_hour == 0.4
    assert a.training_hardware.name == "nvidia-l4"
    assert (a.prompting.usd_per_million_input, a.min_replicas) == (1.0, 0)


def test_bad_serving_table_names_the_variable():
    with pytest.raises(ConfigurationError, match="TUNELINE_COST_SERVING_PROFILES"):
        load_settings(IntakeSettings, cost_serving_profiles='[{"name": "x"}]')


def test_unknown_profile_is_refused_at_start_not_per_request():
    with pytest.raises(ConfigurationError, match="TUNELINE_HARDWARE_PROFILE: unknown hardware profile 'b200'"):
        load_settings(IntakeSettings, hardware_profile="b200")
    with pytest.raises(ValueError, match="unknown hardware profile 'b200'"):
        IntakeSettings(cost_serving_profile="b200").cost_assumptions()
