"""Tell people about job starts, finishes and failures by consuming the service's own job events.

The events leave through the outbox, so a message goes out only after the state change committed. The group is
separate from "training" (its offsets and inbox are its own) and has one member. Each event is claimed in the
inbox in the same transaction that stays open while the channels are called: a redelivery after the commit sends
nothing; a crash before the commit sends again (at least once). When every channel failed the handler raises, the
claim rolls back and the kernel retries, then dead-letters; a partial failure is logged and not retried, so the
channels that got the message do not get it twice.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import JOB_CANCELLED, JOB_COMPLETED, JOB_FAILED, JOB_STARTED, Event, Topic
from tuneline.common.messaging import claim_event, subscribe_many
from tuneline.common.notify import NotificationFailed
from tuneline.training.notifications.service import build_notifier, notification_for
from tuneline.training.settings import TrainingSettings

GROUP = "training-notify"
TOPICS = (JOB_STARTED, JOB_COMPLETED, JOB_FAILED, JOB_CANCELLED)


def register(broker: KafkaBroker, state: AppState) -> None:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    notifier = build_notifier(settings)
    if notifier is None:
        raise ValueError("notify_webhook_url: set it, or smtp_host with notify_recipients, to send notifications")

    async def on_job_event(topic: Topic[Any], event: Event) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, GROUP, event.event_id, topic.name):
                return  # a redelivery: already sent
            delivery = await notifier.notify(notification_for(event), event_id=str(event.event_id), topic=topic.name)
            if delivery.nothing_delivered:
                raise NotificationFailed(f"no channel delivered: {dict(delivery.failed)}")

    subscribe_many(
        broker,
        TOPICS,
        group=GROUP,
        settings=settings,
        handler=on_job_event,
        name="job_notifications",
        description="Sends a webhook and/or e-mail message for every job start, finish, failure and cancellation.",
    )
