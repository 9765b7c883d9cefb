"""The training service's worker settings: its pool and concurrency, the resources each job's Ray task reserves,
validated at start."""

import pytest

from tuneline.common.settings import ConfigurationError, load_settings
from tuneline.training.settings import TrainingSettings


def test_ray_defaults_reserve_one_cpu_gpus_when_the_cluster_has_them_and_no_custom_resource() -> None:
    settings = TrainingSettings(environment="test")
    assert settings.training_ray_num_cpus == 1.0 and settings.training_ray_num_gpus == "auto"
    assert settings.training_resources() == {}


def test_ray_resources_and_gpus_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNELINE_TRAINING_RAY_RESOURCES", '{"tuneline_worker": 1}')
    monkeypatch.setenv("TUNELINE_TRAINING_RAY_NUM_GPUS", "0.5")
    settings = load_settings(TrainingSettings, environment="test")
    assert settings.training_resources() == {"tuneline_worker": 1.0} and settings.training_ray_num_gpus == 0.5


@pytest.mark.parametrize(
    ("pool_limit", "own_cap", "runs"),
    [(1, None, 1), (4, None, 4), (8, 1, 1), (2, 5, 2)],  # a worker never runs more than its pool may
)
def test_a_worker_runs_its_own_cap_of_jobs_within_its_pools_limit(
    monkeypatch: pytest.MonkeyPatch, pool_limit: int, own_cap: int | None, runs: int
) -> None:
    monkeypatch.setenv("TUNELINE_WORKER_POOL", "gpu-a100")
    monkeypatch.setenv("TUNELINE_MAX_CONCURRENT_JOBS", str(pool_limit))
    if own_cap is not None:
        monkeypatch.setenv("TUNELINE_WORKER_MAX_JOBS", str(own_cap))
    settings = load_settings(TrainingSettings, environment="test")
    assert settings.worker_pool == "gpu-a100" and settings.jobs_per_worker == runs


@pytest.mark.parametrize(
    ("variable", "value", "why"),
    [
        ("TUNELINE_TRAINING_RAY_RESOURCES", "tuneline_worker=1", "must be a JSON object"),
        ("TUNELINE_TRAINING_RAY_RESOURCES", '{"tuneline_worker": -2}', "must be a number >= 0"),
        ("TUNELINE_TRAINING_RAY_RESOURCES", '{"GPU": 1}', "CPU and GPU have their own settings"),
        ("TUNELINE_TRAINING_RAY_NUM_GPUS", "-1", "'auto' or a number >= 0"),
        ("TUNELINE_TRAINING_RAY_NUM_GPUS", "many", "TUNELINE_TRAINING_RAY_NUM_GPUS"),
        ("TUNELINE_TRAINING_RAY_NUM_CPUS", "-1", "greater than or equal to 0"),
        ("TUNELINE_WORKER_POOL", "GPU nodes", "should match pattern"),
        ("TUNELINE_WORKER_MAX_JOBS", "0", "greater than or equal to 1"),
    ],
)
def test_bad_ray_settings_stop_the_worker_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, why: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=variable) as refused:
        load_settings(TrainingSettings, environment="test")
    assert why in str(refused.value)
