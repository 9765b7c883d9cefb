"""Prometheus metrics of the event backbone: consumers (handled, handling time, dead letters, lag) and the outbox.

Handling metrics are counted as messages pass; lag and the outbox backlog are read when /metrics is scraped, so
they are as fresh as the scrape and cost nothing between scrapes. Lag comes from the subscribers' own consumers
(the high-water mark of each assigned partition minus the consumer's position): no extra broker connection, and
only partitions this process owns, so summing over a group's members gives the group's lag.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from faststream.kafka import KafkaBroker
from prometheus_client import Counter, Gauge, Histogram

from tuneline.common.db import OutboxRecord, SessionFactory
from tuneline.common.events import utcnow

CONSUMER_HANDLED = Counter(
    "tuneline_consumer_messages_total",
    "Messages a consumer finished, by outcome (handled, dead_lettered)",
    ["service", "group", "topic", "outcome"],
)
CONSUMER_HANDLING = Histogram(
    "tuneline_consumer_handling_seconds",
    "Time from a message's arrival to its handler's return (retries included)",
    ["service", "group", "topic"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DEAD_LETTERS = Counter(
    "tuneline_consumer_dead_letters_total",
    "Messages sent to the dead-letter topic (invalid payload or a handler that kept failing)",
    ["service", "group", "topic", "reason"],
)
CONSUMER_LAG = Gauge(
    "tuneline_consumer_lag_messages",
    "Messages on the broker not yet consumed, over the partitions this process owns",
    ["service", "group", "topic"],
)
OUTBOX_UNSENT = Gauge("tuneline_outbox_unsent_events", "Outbox rows not yet acknowledged by the broker", ["service"])
OUTBOX_OLDEST = Gauge(
    "tuneline_outbox_oldest_unsent_age_seconds", "Age of the oldest unsent outbox row (0 when none)", ["service"]
)


async def refresh_consumer_lag(service: str, broker: KafkaBroker) -> None:
    lags: dict[tuple[str, str], int] = {}
    for sub in broker.subscribers:
        group = getattr(sub, "group_id", None) or ""
        # A concurrent subscriber keeps its members in consumer_subgroup; a plain one has a single consumer.
        consumers: list[Any] = list(getattr(sub, "consumer_subgroup", None) or [])
        single = getattr(sub, "consumer", None)
        if not consumers and single is not None:
            consumers = [single]
        for consumer in consumers:
            for tp in consumer.assignment():
                high = consumer.highwater(tp)
                if high is None:  # nothing fetched from this partition yet
                    continue
                position = await consumer.position(tp)
                key = (group, tp.topic)
                lags[key] = lags.get(key, 0) + max(0, high - position)
    for (group, topic), lag in lags.items():
        CONSUMER_LAG.labels(service, group, topic).set(lag)


async def refresh_outbox_backlog(service: str, sessions: SessionFactory) -> None:
    async with sessions() as session:
        row = (
            await session.execute(
                sa.select(sa.func.count(), sa.func.min(OutboxRecord.created_at)).where(OutboxRecord.sent_at.is_(None))
            )
        ).one()
    count, oldest = int(row[0]), row[1]
    OUTBOX_UNSENT.labels(service).set(count)
    OUTBOX_OLDEST.labels(service).set(_age(oldest))


def _age(oldest: datetime | None) -> float:
    return max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0
