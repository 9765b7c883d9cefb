"""The typed messages a training worker sends its service."""

import pytest
from pydantic import ValidationError

from tuneline.common.records import PromptTemplate
from tuneline.common.results import TrainingCheckpoint, TrainingProgress, TrainingResult, parse_worker_message


def test_each_worker_message_is_read_as_its_type() -> None:
    progress = parse_worker_message(
        {"type": "progress", "step": 3, "total_steps": 10, "epoch": 0.3, "event": "step", "train_loss": 1.5,
         "val_loss": None, "learning_rate": 1e-3, "tokens_per_second": 900.0, "eta_seconds": 7.0}
    )  # fmt: skip
    assert isinstance(progress, TrainingProgress) and progress.train_loss == 1.5
    checkpoint = parse_worker_message({"type": "checkpoint", "step": 5, "key": "jobs/j/checkpoints/5"})
    assert checkpoint == TrainingCheckpoint(step=5, key="jobs/j/checkpoints/5")


def test_a_result_keeps_the_recipe_record_and_types_what_the_service_reads() -> None:
    template = PromptTemplate(instruction="Route this ticket.", labels=["billing", "shipping"])
    result = parse_worker_message(
        {
            "type": "result",
            "status": "early_stopped",
            "adapter_uri": "s3://b/jobs/j/adapter",
            "metadata": {
                "status": "early_stopped",
                "method": "lora",
                "tokens_trained": 1200,
                "labels": ["billing", "shipping"],
                "prompt_template": template.model_dump(),
                "durations_s": {"setup": 1.0, "train": 8.5, "train_cpu": 16.0, "total": 10.0},
                "final_metrics": {"train_loss": 0.4, "val_loss": None, "best_step": 7},
                "device": "cpu",
            },
        }
    )
    assert isinstance(result, TrainingResult) and result.produced_adapter
    assert result.metadata.prompt_template == template
    assert result.metadata.durations_s.train == 8.5 and result.metadata.tokens_trained == 1200
    assert result.metadata.numeric_metrics == {"train_loss": 0.4, "best_step": 7.0}
    assert result.metadata.model_extra == {"device": "cpu"}


def test_a_paused_run_produced_no_adapter() -> None:
    paused = TrainingResult(status="paused", adapter_uri=None, metadata={"status": "paused"})  # type: ignore[arg-type]
    assert not paused.produced_adapter


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "progress", "step": 1, "total_steps": 2, "epoch": 0.5}, "event"),
        ({"type": "checkpoint", "step": 1}, "key"),
        ({"type": "result", "status": "done", "metadata": {"status": "completed"}}, "status"),
        ({"type": "telemetry"}, "type"),
    ],
)
def test_a_malformed_message_is_refused_naming_the_field(message: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        parse_worker_message(message)
