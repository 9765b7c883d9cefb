"""Job notifications through the real broker and database: one webhook call per event, also when redelivered."""

from typing import Any
from uuid import UUID, uuid4

import pytest

from tuneline.common.events import JOB_COMPLETED, JOB_FAILED, JobCompleted, JobFailed
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import eventually, running_app
from tuneline.common.testing.receivers import HttpReceiver
from tuneline.training.app import create_app
from tuneline.training.settings import TrainingSettings

pytestmark = pytest.mark.integration


def for_job(receiver: HttpReceiver, job_id: UUID) -> list[dict[str, Any]]:
    # Other tests of the run publish job events too; this group sees them all.
    return [b for b in receiver.bodies if f"job {job_id} " in b["text"]]


async def test_job_completed_delivered_twice_makes_exactly_one_webhook_call(
    make_settings,  # type: ignore[no-untyped-def]
    http_receiver: HttpReceiver,
) -> None:
    settings = make_settings(
        TrainingSettings, service_name="training_notify_tests", notify_webhook_url=http_receiver.url
    )
    app = create_app(settings)
    job_id, usecase_id, version_id = uuid4(), uuid4(), uuid4()
    completed = JobCompleted(
        producer="training",
        usecase_id=usecase_id,
        job_id=job_id,
        dataset_id=uuid4(),
        dataset_version_id=version_id,
        task_type="classification",
        base_model="smollm2-135m-instruct",
        method="lora",
        adapter_uri=f"file:///jobs/{job_id}/adapter",
        metrics={"eval_loss": 0.25, "accuracy": 0.9875},
        trained_tokens=9600,
        duration_seconds=42.0,
    )
    # The marker is another completion of the same job on the same topic: same key → same partition, so once its
    # notification arrived, the redelivery before it has been consumed (topics are not ordered among themselves).
    marker = completed.model_copy(update={"event_id": uuid4(), "trained_tokens": 1})
    async with running_app(app):
        broker = app.state.tuneline.broker
        await publish_now(broker, JOB_COMPLETED, completed)
        await publish_now(broker, JOB_COMPLETED, completed)  # the redelivery: same event id
        await publish_now(broker, JOB_COMPLETED, marker)
        bodies = await eventually(
            lambda: _at_least(for_job(http_receiver, job_id), 2), timeout_s=60, what="two notifications"
        )
        failed = JobFailed(producer="training", usecase_id=usecase_id, job_id=job_id, reason="sentinel")
        await publish_now(broker, JOB_FAILED, failed)
        reasons = await eventually(
            lambda: _at_least([b for b in for_job(http_receiver, job_id) if "failed" in b["text"]], 1),
            timeout_s=60,
            what="the failure notification",
        )

    assert len(for_job(http_receiver, job_id)) == 3, "the redelivered event was notified twice"
    assert [b["text"].splitlines()[0] for b in bodies] == [f"Tuneline training job {job_id} succeeded"] * 2
    assert "Trained tokens: 1" in bodies[1]["text"]
    assert bodies[0]["text"] == "\n".join(
        [
            f"Tuneline training job {job_id} succeeded",
            f"Use case {usecase_id}",
            f"Job: {job_id}",
            f"Use case: {usecase_id}",
            "Status: succeeded",
            "Base model: smollm2-135m-instruct",
            "Method: lora",
            "Duration: 42 s",
            "Trained tokens: 9600",
            "accuracy: 0.9875",
            "eval_loss: 0.25",
        ]
    )
    assert bodies[0]["blocks"][0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": f"*Tuneline training job {job_id} succeeded*\nUse case {usecase_id}"},
    }
    assert f"file:///jobs/{job_id}/adapter" not in str(bodies[0])
    assert "Reason: sentinel" in reasons[0]["text"]


async def _at_least(bodies: list[dict[str, Any]], n: int) -> list[dict[str, Any]] | None:
    return bodies if len(bodies) >= n else None
