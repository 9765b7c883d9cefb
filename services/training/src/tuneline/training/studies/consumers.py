"""A study moves when one of its trial jobs ends: the service consumes its own job.completed, job.failed and
job.cancelled (through the outbox, so after the job's change committed) in a group of its own, claims each event in
the inbox and advances the job's study. Events of jobs that are no trial change nothing."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import (
    JOB_CANCELLED,
    JOB_COMPLETED,
    JOB_FAILED,
    JobCancelled,
    JobCompleted,
    JobFailed,
    Topic,
)
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.training.jobs import repository as jobs_repository
from tuneline.training.settings import TrainingSettings
from tuneline.training.studies import service
from tuneline.training.studies.context import studies_context

TOPICS = (JOB_COMPLETED, JOB_FAILED, JOB_CANCELLED)


def register(broker: KafkaBroker, state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    group = f"{settings.service_name}-studies"
    storage = studies_context(state).storage

    async def on_job_ended(topic: Topic[Any], event: JobCompleted | JobFailed | JobCancelled) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, group, event.event_id, topic.name):
                return  # a redelivery
            job = await jobs_repository.get_job(session, event.job_id)
            if job is not None and job.study_id is not None:
                await service.advance(session, settings, storage, job.study_id)

    subscribe_many(
        broker,
        TOPICS,
        group=group,
        settings=settings,
        handler=on_job_ended,
        name="study_trials",
        description="Records a trial's outcome in its study and queues the study's next trials.",
    )
