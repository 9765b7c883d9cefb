"""The execution spec the worker builds from a job row (no database: the row is built in memory)."""

from dataclasses import asdict
from pathlib import Path
from uuid import uuid4

import pytest

from tuneline.training.estimate.hyperparameters import resolve
from tuneline.training.estimate.presets import Preset, preset_hyperparameters
from tuneline.training.jobs.tables import TrainingJob
from tuneline.training.settings import TrainingSettings
from tuneline.training.worker.loop import Worker


def _job(split_uris: dict[str, str], validation_uris: list[str]) -> TrainingJob:
    hp = preset_hyperparameters(Preset.QUICK_START, {"eval_interval": 5, "early_stopping_patience": 2})
    return TrainingJob(
        usecase_id=uuid4(),
        dataset_id=uuid4(),
        dataset_version_id=uuid4(),
        task_type="classification",
        record_format="instruction",
        base_model="tiny",
        method_requested="lora",
        resolved=asdict(resolve(hp, 0, 40)),
        split_uris=split_uris,
        validation_uris=validation_uris,
        created_by="tester",
    )


@pytest.fixture
def worker(tmp_path: Path) -> Worker:
    settings = TrainingSettings(environment="test", job_workdir=str(tmp_path))
    return Worker(settings, sessions=None, runner=None, name="w")  # type: ignore[arg-type]


def test_a_separate_validation_version_alone_turns_evaluation_and_early_stopping_on(
    worker: Worker, tmp_path: Path
) -> None:
    parts = ["file:///v/train.jsonl", "file:///v/validation.jsonl"]
    spec = worker._spec(_job({"train": "file:///d/train.jsonl"}, parts), tmp_path / "run")
    assert spec.validation_uris == parts
    assert spec.recipe["eval_every_steps"] == 5 and spec.recipe["early_stopping_patience"] == 2


def test_without_any_validation_data_there_is_no_evaluation(worker: Worker, tmp_path: Path) -> None:
    spec = worker._spec(_job({"train": "file:///d/train.jsonl"}, []), tmp_path / "run")
    assert spec.validation_uris == []
    assert spec.recipe["eval_every_steps"] == 0 and spec.recipe["early_stopping_patience"] == 0
