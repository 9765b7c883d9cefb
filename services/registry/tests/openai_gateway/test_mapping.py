"""OpenAI <-> Tuneline translations, with expectations worked out by hand."""

from datetime import UTC, datetime

import pytest

from tuneline.registry.openai_gateway import mapping
from tuneline.registry.openai_gateway.errors import OpenAIError, error_body
from tuneline.registry.openai_gateway.tables import OpenAIJobRow


def test_hyperparameters_translate_numbers_and_leave_auto_to_the_preset():
    out = mapping.training_hyperparameters(
        {"n_epochs": 2, "batch_size": "auto", "learning_rate_multiplier": 2.5}, base_learning_rate=2e-4
    )
    assert out == {"epochs": 2, "learning_rate": pytest.approx(5e-4)}


@pytest.mark.parametrize(
    ("given", "param"),
    [
        ({"n_epochs": 0}, "hyperparameters.n_epochs"),
        ({"n_epochs": 1.5}, "hyperparameters.n_epochs"),
        ({"batch_size": "big"}, "hyperparameters.batch_size"),
        ({"batch_size": 17}, "hyperparameters.batch_size"),
        ({"learning_rate_multiplier": 10}, "hyperparameters.learning_rate_multiplier"),  # 2e-3 > 1e-3
        ({"warmup": 3}, "hyperparameters.warmup"),
    ],
)
def test_bad_hyperparameter_is_refused_naming_it(given, param):
    with pytest.raises(OpenAIError) as caught:
        mapping.training_hyperparameters(given, base_learning_rate=2e-4)
    assert caught.value.status == 400 and caught.value.param == param


def test_error_body_has_openai_shape():
    assert error_body(401, "bad key", None, "invalid_api_key") == {
        "error": {"message": "bad key", "type": "authentication_error", "param": None, "code": "invalid_api_key"}
    }


def _row() -> OpenAIJobRow:
    return OpenAIJobRow(
        id="ftjob-1",
        owner="ana",
        training_job_id="00000000-0000-0000-0000-000000000001",
        usecase_id="00000000-0000-0000-0000-000000000002",
        model="smollm2-135m-instruct",
        training_file="file-1",
        seed=7,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_job_object_maps_status_tokens_eta_and_failure():
    training = {
        "status": "running",
        "started_at": "2025-01-01T00:00:10+00:00",
        "estimate": {"seconds": 90.4},
        "hyperparameters": {"epochs": 3, "batch_size": 4, "learning_rate": 5e-4},
        "trained_tokens": 123,
    }
    job = mapping.job_object(_row(), training, release=None, base_learning_rate=2e-4)
    assert job["status"] == "running"
    assert job["estimated_finish"] == 1735689600 + 10 + 90
    assert job["hyperparameters"] == {"n_epochs": 3, "batch_size": 4, "learning_rate_multiplier": 2.5}
    assert job["trained_tokens"] is None  # only reported once succeeded, as OpenAI does
    failed = mapping.job_object(
        _row(),
        {**training, "status": "failed", "failure_reason": "out of memory"},
        release=None,
        base_learning_rate=2e-4,
    )
    assert failed["error"]["message"] == "out of memory" and failed["estimated_finish"] is None


@pytest.mark.parametrize(
    ("release", "status", "model", "code"),
    [
        (mapping.Release("evaluating"), "running", None, None),
        (mapping.Release("deploying", "m"), "running", None, None),
        (mapping.Release("serving", "m"), "succeeded", "m", None),
        (mapping.Release("blocked", "m", ("suite fell 20 points",)), "failed", None, "evaluation_gate_failed"),
        (mapping.Release("failed", "m", ("replica crashed",)), "failed", None, "deployment_failed"),
        (mapping.Release("reviewing", "m", ("waits for a human review",)), "running", None, None),
        (mapping.Release("rejected", "m", ("rex did not approve",)), "failed", None, "human_review_rejected"),
    ],
)
def test_a_trained_job_succeeds_only_once_its_model_serves(release, status, model, code):
    training = {
        "status": "succeeded",
        "started_at": "2025-01-01T00:00:10+00:00",
        "finished_at": "2025-01-01T00:05:00+00:00",
        "hyperparameters": {"epochs": 3, "batch_size": 4, "learning_rate": 5e-4},
        "trained_tokens": 123,
    }
    job = mapping.job_object(_row(), training, release=release, base_learning_rate=2e-4)
    assert (job["status"], job["fine_tuned_model"]) == (status, model)
    assert (job["error"] or {}).get("code") == code
    if code:
        assert release.reasons[0] in job["error"]["message"]
    assert (job["finished_at"] is None) == (status == "running")
    assert (job["trained_tokens"] == 123) == (status == "succeeded")


def test_events_merge_logs_and_metrics_newest_first_with_levels():
    log = (
        "2025-01-01T00:00:01+00:00 INFO    job queued\n"
        "2025-01-01T00:00:05+00:00 WARNING low memory\n"
        "not a log line\n"
        "2025-01-01T00:00:09+00:00 ERROR   worker lost\n"
    )
    metrics = [
        {
            "step": 3,
            "epoch": 0.5,
            "event": "step",
            "train_loss": 1.25,
            "val_loss": None,
            "learning_rate": 1e-4,
            "tokens_per_second": 10.0,
            "recorded_at": "2025-01-01T00:00:07+00:00",
        }
    ]
    events = mapping.job_events("ftjob-1", log, metrics)
    assert [(e["level"], e["type"]) for e in events] == [
        ("error", "message"),
        ("info", "metrics"),
        ("warn", "message"),
        ("info", "message"),
    ]
    assert events[1]["message"] == "Step 3: training loss=1.2500" and events[1]["data"]["step"] == 3
    assert len({e["id"] for e in events}) == 4


def test_events_include_the_release_steps_after_training_in_time_order():
    from datetime import UTC, datetime

    notes = (
        mapping.ReleaseNote(datetime(2025, 1, 1, 0, 1, tzinfo=UTC), "info", "Evaluation passed; registered m v1"),
        mapping.ReleaseNote(datetime(2025, 1, 1, 0, 2, tzinfo=UTC), "warn", "version 1 of m waits for a human review"),
    )
    log = "2025-01-01T00:00:30+00:00 INFO    job succeeded\n"
    events = mapping.job_events("ftjob-1", log, [], mapping.Release("reviewing", "m", (), notes))
    assert [(e["level"], e["message"]) for e in events] == [
        ("warn", "version 1 of m waits for a human review"),
        ("info", "Evaluation passed; registered m v1"),
        ("info", "job succeeded"),
    ]
    assert events[0]["data"] == {"model": "m"} and events[0]["type"] == "message"


def test_checkpoints_list_last_saved_and_final_step_with_nearest_metrics():
    metrics = [
        {"step": 10, "train_loss": 2.0, "val_loss": 2.5, "recorded_at": "2025-01-01T00:00:10+00:00"},
        {"step": 20, "train_loss": 1.0, "val_loss": 1.5, "recorded_at": "2025-01-01T00:00:20+00:00"},
    ]
    training = {"status": "succeeded", "last_checkpoint_step": 15, "step": 20, "base_model": "b"}
    listed = mapping.checkpoints("ftjob-1", training, metrics, "m")
    assert [c["step_number"] for c in listed] == [20, 15]
    assert listed[0]["metrics"]["train_loss"] == 1.0 and listed[1]["metrics"]["valid_loss"] == 2.5
    assert listed[1]["fine_tuned_model_checkpoint"] == "m:ckpt-step-15"


def test_page_follows_after_cursor_and_reports_has_more():
    items = [{"id": f"x{i}"} for i in range(5)]
    first = mapping.page(items, None, 2)
    assert [i["id"] for i in first["data"]] == ["x0", "x1"] and first["has_more"]
    last = mapping.page(items, "x2", 2)
    assert [i["id"] for i in last["data"]] == ["x3", "x4"] and not last["has_more"]
    with pytest.raises(OpenAIError):
        mapping.page(items, "nope", 2)
