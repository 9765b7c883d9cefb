"""Request and response models of the evaluation API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from tuneline.common.storage import PublicUri


class EvaluationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    usecase_id: UUID
    team: str | None = Field(default=None, description="The use case's team: who may read it; None: before teams.")
    job_id: UUID
    dataset_version_id: UUID
    task_type: str
    base_model: str
    adapter_uri: PublicUri
    method: str
    status: str = Field(description="queued, running, completed or failed.")
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    passed: bool | None = Field(description="Release decision; None until the evaluation finishes.")
    reasons: list[str]
    metrics_base: dict[str, float]
    metrics_tuned: dict[str, float]
    forgetting: dict[str, float]
    quality_score: float | None
    review_required: bool
    review_reasons: list[str]
    error: str | None


class ReviewItemOut(BaseModel):
    """A blind pair: which side the tuned model wrote is not disclosed."""

    item_id: str
    prompt: str
    reference: str
    output_a: str
    output_b: str


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: str = Field(min_length=1, max_length=64)
    side: Literal["A", "B"]
    relevance: int = Field(ge=1, le=5, description="Does the output address the prompt? 1-5")
    correctness: int = Field(ge=1, le=5, description="Is the information accurate? 1-5")
    style_match: int = Field(ge=1, le=5, description="Does it follow the style guide? 1-5")
    helpfulness: int = Field(ge=1, le=5, description="Would this be useful? 1-5")
    safe: bool = Field(description="False when the output is harmful or biased.")
    comment: str = Field(default="", max_length=4000)


class RatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item_id: str
    side: str
    reviewer: str
    relevance: int
    correctness: int
    style_match: int
    helpfulness: int
    safe: bool
    comment: str
    created_at: datetime


class ReviewOut(BaseModel):
    required: bool
    required_reasons: list[str]
    complete: bool
    passed: bool | None
    status_reasons: list[str]
    aggregates: dict[str, Any] = Field(description="Per-model criterion means, agreement (alpha), preferences.")
