"""Feedback on served requests: a thumbs up/down and, possibly much later, the ground-truth label."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.errors import Conflict, InvalidInput, NotFound
from tuneline.common.events import utcnow
from tuneline.monitoring.quality import repository
from tuneline.monitoring.quality.bucket import QualityBucket, QualityTrend, merge_quality, quality_trend
from tuneline.monitoring.quality.signals import Prediction, Rating, is_correct
from tuneline.monitoring.quality.tables import FeedbackRow
from tuneline.monitoring.rollups import repository as events
from tuneline.monitoring.rollups.rollup import RollupKey, bucket_start


async def submit_feedback(
    session: AsyncSession, request_id: str, rating: Rating | None, truth_label: str | None, by: str
) -> FeedbackRow:
    if rating is None and truth_label is None:
        raise InvalidInput("give a rating, a truth_label or both", field="rating")
    event = await events.find_event(session, request_id)
    if event is None:
        raise NotFound(f"no served request {request_id!r} within the retention window", field="request_id")
    row = await repository.feedback_for_update(session, request_id)
    if row is None:
        row = FeedbackRow(request_id=request_id, submitted_by=by)
        session.add(row)
    key = RollupKey(event.model_name, event.version, event.arm)
    start = bucket_start(event.occurred_at, repository.QUALITY_BUCKET_SECONDS)
    increments: dict[str, int] = {}
    if rating is not None:
        if row.rating is not None:
            raise Conflict(f"request {request_id!r} was already rated {row.rating!r}", field="rating")
        row.rating = rating.value
        increments["thumbs_up" if rating is Rating.UP else "thumbs_down"] = 1
    if truth_label is not None:
        if row.truth_label is not None:
            raise Conflict(f"request {request_id!r} already has its ground truth", field="truth_label")
        if event.output is None:
            raise InvalidInput(
                "the output of this request was not logged, so it cannot be compared with a label",
                field="truth_label",
            )
        correct = is_correct(Prediction(request_id, key, event.output, event.occurred_at), truth_label)
        row.truth_label, row.correct = truth_label, correct
        increments["labelled"] = 1
        increments["correct"] = int(correct)
    row.updated_at = utcnow()
    await session.flush()
    await repository.add_to_bucket(session, key, start, **increments)
    return row


async def trend_for(
    session: AsyncSession, key: RollupKey, now: datetime, period: timedelta = timedelta(days=1)
) -> QualityTrend:
    """This period against the one before, for one model version and arm."""
    buckets = [b for b in await repository.load_buckets(session, now - 2 * period, now, key.model) if b.key == key]
    earlier = merge_quality(buckets, key, now - 2 * period, now - period)
    recent = merge_quality(buckets, key, now - period, now)
    return quality_trend(earlier, recent)


def per_key(buckets: list[QualityBucket], start: datetime, end: datetime) -> dict[RollupKey, QualityBucket]:
    keys = sorted({b.key for b in buckets})
    return {key: merge_quality([b for b in buckets if b.key == key], key, start, end) for key in keys}
