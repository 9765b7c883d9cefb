"""Intake's estimate of a use case's training and training's estimate of its first job are one model.

Both services read the hardware from one variable (TUNELINE_HARDWARE_PROFILE) and price training with
``tuneline.common.costing``: the same tokens, epochs, model and method give the same seconds and dollars for the
optimizer steps (a job's whole-run estimate adds saving and, on a cold replay cache, the replay generation).
"""

from __future__ import annotations

import pytest

from tuneline.common.costing import default_profile, fold_measurement
from tuneline.intake.costing.training import estimate_training
from tuneline.intake.form import FineTuningMethod
from tuneline.intake.settings import IntakeSettings
from tuneline.training.estimate.hyperparameters import Hyperparameters, resolve
from tuneline.training.estimate.memory import KNOWN_MODELS, Method
from tuneline.training.jobs.service import _price, hardware_table_from
from tuneline.training.settings import TrainingSettings

pytestmark = pytest.mark.unit

SHAPE = KNOWN_MODELS["smollm2-135m-instruct"]


@pytest.mark.parametrize("profile", ["cpu-2core", "nvidia-l4", "nvidia-h100-80gb"])
@pytest.mark.parametrize(
    ("intake_method", "training_method"),
    [(FineTuningMethod.LORA, Method.LORA), (FineTuningMethod.FULL, Method.FULL)],
)
def test_use_case_and_its_first_job_get_the_same_training_cost(monkeypatch, profile, intake_method, training_method):
    monkeypatch.setenv("TUNELINE_HARDWARE_PROFILE", profile)
    records, tokens_per_record, epochs = 4_000, 110, 3

    use_case = estimate_training(
        examples=records,
        tokens_per_example=tokens_per_record,
        epochs=epochs,
        parameters=SHAPE.params,
        method=intake_method,
        profile=IntakeSettings().cost_assumptions().training_hardware,
    )
    resolved = resolve(Hyperparameters(epochs=epochs, general_replay=0.0), SHAPE.params, records)
    table = hardware_table_from({})
    job = _price(
        SHAPE, training_method, resolved, records, tokens_per_record, table.get(TrainingSettings().hardware_profile)
    )

    assert use_case.profile == job.hardware == profile
    # the job's own seconds and cost also hold saving the adapter (and a cold replay generation): the steps agree
    assert use_case.gpu_hours * 3600 == pytest.approx(job.training_seconds)
    assert use_case.cost_usd == pytest.approx(job.training_cost_usd)


def test_a_measured_job_moves_both_estimates_alike():
    """Training's table and intake's measured profile fold the same finished job in the same way."""
    table = hardware_table_from({})
    trained = table.record_job("nvidia-l4", SHAPE.params, Method.LORA, tokens=2_000_000, seconds=100.0)
    intake = fold_measurement(
        default_profile("nvidia-l4"), params=SHAPE.params, method=FineTuningMethod.LORA, tokens=2_000_000, seconds=100.0
    )
    assert trained == intake
    assert trained.effective_tflops != default_profile("nvidia-l4").effective_tflops
