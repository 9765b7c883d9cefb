"""REST shapes for traffic figures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tuneline.monitoring.rollups.rollup import RollupKey, RollupSummary


class Figures(BaseModel):
    requests: int
    errors: int
    timeouts: int
    error_rate: float | None = Field(description="0..1")
    timeout_rate: float | None = Field(description="0..1")
    latency_mean_ms: float | None
    latency_p50_ms: float | None = Field(description="Within 1 % of the exact value (sketch).")
    latency_p95_ms: float | None
    latency_p99_ms: float | None
    latency_max_ms: float | None
    tokens_in: int
    tokens_out: int
    cost: float
    cost_per_request: float | None
    unpriced_requests: int
    unique_callers: float = Field(description="Exact up to 256, HyperLogLog (±1.6 %) above.")

    @classmethod
    def of(cls, summary: RollupSummary) -> Figures:
        return cls(**summary.as_dict())


class KeyedFigures(BaseModel):
    model: str
    version: str
    arm: str
    figures: Figures

    @classmethod
    def of(cls, key: RollupKey, summary: RollupSummary) -> KeyedFigures:
        return cls(model=key.model, version=key.version, arm=key.arm, figures=Figures.of(summary))


class SeriesPointOut(KeyedFigures):
    start: datetime


class CurrentOut(BaseModel):
    start: datetime
    end: datetime
    items: list[KeyedFigures]


class SeriesOut(BaseModel):
    start: datetime
    end: datetime
    step_seconds: int
    points: list[SeriesPointOut]


class CostLine(BaseModel):
    model: str
    version: str
    requests: int
    tokens_in: int
    tokens_out: int
    cost: float
    cost_per_request: float | None


class CostsOut(BaseModel):
    start: datetime
    end: datetime
    total: float
    per_version: list[CostLine]
    per_model: dict[str, float]
