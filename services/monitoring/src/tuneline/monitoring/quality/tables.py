"""Feedback per request (one rating and one ground-truth label each) and quality figures per hour."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class FeedbackRow(SQLModel, table=True):
    __tablename__ = "monitoring_feedback"

    request_id: str = Field(primary_key=True)
    rating: str | None = None
    truth_label: str | None = None
    correct: bool | None = None
    submitted_by: str
    updated_at: datetime = Field(default_factory=utcnow)


class QualityRow(SQLModel, table=True):
    __tablename__ = "monitoring_quality"
    __table_args__ = (
        sa.UniqueConstraint("model_name", "version", "arm", "bucket_start", name="monitoring_quality_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    model_name: str
    version: str
    arm: str
    bucket_start: datetime
    thumbs_up: int = 0
    thumbs_down: int = 0
    labelled: int = 0
    correct: int = 0
