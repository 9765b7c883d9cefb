from uuid import UUID

import pytest
from pydantic import SecretStr, ValidationError

from tuneline.common.events import JobCancelled, JobCompleted, JobFailed, JobQueued, JobStarted
from tuneline.training.notifications.service import MAX_REASON_CHARS, build_notifier, notification_for
from tuneline.training.settings import TrainingSettings

JOB = UUID("00000000-0000-0000-0000-00000000000a")
USECASE = UUID("00000000-0000-0000-0000-00000000000b")


def completed() -> JobCompleted:
    return JobCompleted(
        producer="training",
        usecase_id=USECASE,
        job_id=JOB,
        dataset_id=USECASE,
        dataset_version_id=USECASE,
        task_type="classification",
        base_model="smollm2-135m-instruct",
        method="lora",
        adapter_uri="file:///adapters/a",
        metrics={"eval_loss": 0.123456, "train_loss": 0.5, "accuracy": 0.9875},
        trained_tokens=9600,
        duration_seconds=61.6,
    )


def test_completed_message_names_job_usecase_status_and_key_metrics() -> None:
    n = notification_for(completed())
    assert n.title == f"Tuneline training job {JOB} succeeded"
    assert n.body == f"Use case {USECASE}"
    assert dict(n.fields) == {
        "Job": str(JOB),
        "Use case": str(USECASE),
        "Status": "succeeded",
        "Base model": "smollm2-135m-instruct",
        "Method": "lora",
        "Duration": "62 s",
        "Trained tokens": "9600",
        "accuracy": "0.9875",
        "eval_loss": "0.1235",
        "train_loss": "0.5",
    }


def test_failed_message_carries_the_reason_cut_to_a_bounded_length() -> None:
    short = notification_for(JobFailed(producer="training", usecase_id=USECASE, job_id=JOB, reason="OOM at step 3"))
    assert (short.fields["Status"], short.fields["Reason"]) == ("failed", "OOM at step 3")
    long = notification_for(JobFailed(producer="training", usecase_id=USECASE, job_id=JOB, reason="x" * 2000))
    assert len(long.fields["Reason"]) == MAX_REASON_CHARS and long.fields["Reason"].endswith("…")


def test_started_and_cancelled_messages() -> None:
    started = notification_for(
        JobStarted(producer="training", usecase_id=USECASE, job_id=JOB, worker="w1", resumed_from_step=40)
    )
    assert started.title.endswith("started") and started.fields["Resumed from step"] == "40"
    cancelled = notification_for(JobCancelled(producer="training", usecase_id=USECASE, job_id=JOB, cancelled_by="u1"))
    assert cancelled.fields["Status"] == "cancelled" and "u1" not in str(cancelled)


def test_refuses_an_event_that_is_not_a_job_outcome() -> None:
    queued = JobQueued.model_construct(job_id=JOB, usecase_id=USECASE, type="job.queued")
    with pytest.raises(TypeError, match=r"job\.queued"):
        notification_for(queued)


def test_notifier_has_only_the_configured_channels() -> None:
    assert build_notifier(TrainingSettings()) is None
    assert build_notifier(TrainingSettings(smtp_host="mail.example.com")) is None  # no recipients: no e-mail
    both = build_notifier(
        TrainingSettings(
            notify_webhook_url="https://hooks.example.com/x",
            smtp_host="mail.example.com",
            notify_recipients=["ml@example.com"],
            smtp_password=SecretStr("pw"),
        )
    )
    assert both is not None and both.channels == ("webhook", "smtp")


def test_webhook_url_setting_must_be_http() -> None:
    with pytest.raises(ValidationError, match="notify_webhook_url"):
        TrainingSettings(notify_webhook_url="ftp://x")
