"""Intake's costing table: training throughput measured on finished jobs, per hardware profile."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class MeasuredThroughputRow(SQLModel, table=True):
    """A profile's effective TFLOP/s after folding in every finished job reported to intake (shared cost model)."""

    __tablename__ = "intake_cost_measured_throughput"

    profile: str = Field(primary_key=True)
    effective_tflops: float
    measurements: int
    updated_at: datetime = Field(default_factory=utcnow)
