"""The MLflow export's settings and the rules that make any value fit MLflow's limits (no server needed)."""

import os

import pytest

from tuneline.common.settings import ConfigurationError, ServiceSettings, TrackingSettings, load_settings
from tuneline.common.tracking import (
    HTTP_DEFAULTS,
    MAX_PARAM_CHARS,
    bound_http_requests,
    build_tracker,
    metric_key,
    param_value,
)


class TrackedSettings(ServiceSettings, TrackingSettings):
    service_name: str = "tracked"


def test_tracking_is_off_when_the_uri_is_unset_or_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_tracker(TrackingSettings(), "training") is None
    monkeypatch.setenv("TUNELINE_MLFLOW_TRACKING_URI", "")  # compose's way of turning it off
    assert TrackingSettings().mlflow_tracking_uri is None


def test_a_tracking_uri_that_is_not_http_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNELINE_MLFLOW_TRACKING_URI", "mlflow:5000")
    with pytest.raises(ConfigurationError, match="TUNELINE_MLFLOW_TRACKING_URI"):
        load_settings(TrackedSettings, environment="test")


def test_experiments_are_one_per_use_case_under_the_prefix() -> None:
    tracker = build_tracker(
        TrackingSettings(mlflow_tracking_uri="http://mlflow:5000", mlflow_experiment_prefix="acme"), "training"
    )
    assert tracker is not None
    assert tracker.experiment_name("6f1c") == "acme/6f1c"


def test_http_limits_default_short_but_keep_what_the_deployment_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in HTTP_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "45")
    bound_http_requests()
    assert os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "45"
    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == HTTP_DEFAULTS["MLFLOW_HTTP_REQUEST_MAX_RETRIES"]


def test_keys_keep_mlflows_characters_and_replace_the_rest() -> None:
    assert metric_key("tuned.macro_f1") == "tuned.macro_f1"
    assert metric_key("rouge-L / sum") == "rouge-L / sum"
    assert metric_key("acc@1:top(k)") == "acc_1_top_k_"


def test_param_values_are_text_and_never_longer_than_mlflow_takes() -> None:
    assert param_value(0.0005) == "0.0005"
    assert param_value(["b", "a"]) == '["b", "a"]'
    assert param_value({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
    long = param_value("x" * (MAX_PARAM_CHARS + 10))
    assert len(long) == MAX_PARAM_CHARS and long.endswith("…")
