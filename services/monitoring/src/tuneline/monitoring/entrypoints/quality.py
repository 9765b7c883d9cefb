"""REST: feedback on a served request, and quality figures over time; both are the served model's team's
(tuneline.monitoring.models.access): another team's caller is refused (403, audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser, audit
from tuneline.common.errors import InvalidInput
from tuneline.monitoring.models import access
from tuneline.monitoring.quality import repository, service
from tuneline.monitoring.quality.signals import Rating
from tuneline.monitoring.rollups import repository as rollup_repository
from tuneline.monitoring.rollups.rollup import RollupKey

router = APIRouter(tags=["quality"])


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(min_length=1, max_length=200)
    rating: Rating | None = Field(default=None, description="Thumbs up or down.")
    truth_label: str | None = Field(default=None, max_length=500, description="The correct answer, when known.")


class FeedbackOut(BaseModel):
    request_id: str
    rating: str | None
    truth_label_recorded: bool
    correct: bool | None


class QualityPoint(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    start: datetime
    model_name: str
    version: str
    arm: str
    thumbs_up: int
    thumbs_down: int
    thumbs_up_rate: float | None
    labelled: int
    accuracy: float | None


class QualityOut(BaseModel):
    points: list[QualityPoint]
    trend: dict[str, dict[str, object]] = Field(description="Per version/arm: this day against the day before.")


@router.post("/feedback", response_model=FeedbackOut, status_code=201, summary="Rate a served request")
async def submit_feedback(body: FeedbackIn, session: SessionDep, user: CurrentUser) -> FeedbackOut:
    served = await rollup_repository.find_event(session, body.request_id)
    if served is not None:  # an unknown request is the service's 404
        await access.ensure_model(session, user, served.model_name, "rate a served request of")
    row = await service.submit_feedback(session, body.request_id, body.rating, body.truth_label, user.subject)
    await audit(session, user, "feedback.submitted", "inference_request", body.request_id)
    return FeedbackOut(
        request_id=row.request_id,
        rating=row.rating,
        truth_label_recorded=row.truth_label is not None,
        correct=row.correct,
    )


@router.get("/metrics/models/{model}/quality", response_model=QualityOut, summary="Feedback and accuracy per hour")
async def quality(
    model: str,
    session: SessionDep,
    user: CurrentUser,
    start: Annotated[datetime | None, Query()] = None,
    end: Annotated[datetime | None, Query()] = None,
) -> QualityOut:
    await access.ensure_model(session, user, model, "read the quality of")
    end = end or datetime.now(UTC)
    start = start or end - timedelta(days=7)
    if end <= start:
        raise InvalidInput("end must be after start", field="end")
    buckets = await repository.load_buckets(session, start, end, model)
    points = [
        QualityPoint(
            start=b.start,
            model_name=b.key.model,
            version=b.key.version,
            arm=b.key.arm,
            thumbs_up=b.thumbs_up,
            thumbs_down=b.thumbs_down,
            thumbs_up_rate=b.thumbs_up_rate,
            labelled=b.labelled,
            accuracy=b.accuracy,
        )
        for b in buckets
    ]
    trends: dict[str, dict[str, object]] = {}
    for key in sorted({RollupKey(b.key.model, b.key.version, b.key.arm) for b in buckets}):
        trend = await service.trend_for(session, key, end)
        trends[f"{key.version}/{key.arm}"] = {
            "direction": trend.direction.value,
            "metric": trend.metric,
            "earlier": trend.earlier,
            "recent": trend.recent,
            "p_value": trend.p_value,
        }
    return QualityOut(points=points, trend=trends)
