"""Kafka subscribers: decode, claim the event id in the inbox, call the service."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import (
    DATASET_ERASED,
    JOB_COMPLETED,
    JOB_PROGRESS,
    STUDY_COMPLETED,
    USECASE_APPROVED,
    Topic,
)
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.evaluation.evaluations import service
from tuneline.evaluation.settings import EvaluationSettings

CONSUMER = "evaluation"


def register(broker: KafkaBroker, state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, EvaluationSettings)

    async def on_event(topic: Topic[Any], event: Any) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, CONSUMER, event.event_id, topic.name):
                return
            if topic is JOB_COMPLETED and event.study_id is None:
                await service.schedule_for_job(session, settings, event)
            elif topic is JOB_COMPLETED:  # a trial: its study hands on the best one (study.completed)
                service.log_skipped_trial(event)
            elif topic is STUDY_COMPLETED:
                await service.schedule_for_job(session, settings, event.best_trial)
            elif topic is USECASE_APPROVED:
                await service.record_usecase(session, event)
            elif topic is JOB_PROGRESS:
                await service.record_progress(session, event)
            elif topic is DATASET_ERASED:
                await service.erase_for_dataset(session, settings, state.store, event)

    subscribe_many(
        broker,
        [JOB_COMPLETED, STUDY_COMPLETED, USECASE_APPROVED, JOB_PROGRESS, DATASET_ERASED],
        group=CONSUMER,
        settings=settings,
        handler=on_event,
    )
