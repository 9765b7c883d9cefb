"""Request and response models of the /usecases API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tuneline.intake.qualification.rice import Confidence, Impact

T = TypeVar("T")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=5000, description="Why; required to reject or send back.")


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=5000)


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] = Field(
        description="Why the use case is erased (e.g. 'GDPR art. 17 request #1234'); kept with the tombstone."
    )


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=10_000)


class RiceOverridesIn(BaseModel):
    """A reviewer's RICE judgement; unset fields stay derived from the form."""

    model_config = ConfigDict(extra="forbid")
    reach: float | None = Field(default=None, ge=0)
    impact: Impact | None = None
    confidence: Confidence | None = None
    effort_person_months: float | None = Field(default=None, gt=0)


class FieldProblemOut(BaseModel):
    field: str
    message: str


class UseCaseOut(BaseModel):
    id: UUID
    title: str
    industry: str | None
    business_unit: str | None
    status: str
    submitter: str
    team: str | None = Field(
        default=None, description="The team the use case belongs to (its creator's); None: made before teams."
    )
    allowed_actions: list[str] = Field(description="Lifecycle actions possible from the current status.")
    form: dict[str, Any]
    missing: list[FieldProblemOut] = Field(description="What the form still lacks before it can be submitted.")
    assessment: dict[str, Any] | None = Field(description="Checklist, decision, RICE and costs of a complete form.")
    rice_score: float | None
    rice_overrides: dict[str, Any]
    recommended_approach: str | None
    stage: str | None
    progress: dict[str, Any]
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    source_system: str | None
    external_ref: str | None
    created_at: datetime
    updated_at: datetime


class ModelVersionOut(BaseModel):
    version_id: str
    name: str
    version: int
    stage: str


class PortfolioItem(BaseModel):
    id: UUID
    title: str
    industry: str | None
    business_unit: str | None
    status: str
    stage: str | None
    rice_score: float | None
    recommended_approach: str | None
    model_versions: list[ModelVersionOut]
    production_version: int | None
    headline_metrics: dict[str, float]
    evaluation_passed: bool | None
    deployment_status: str | None
    last_event_at: datetime | None
    updated_at: datetime


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class DashboardOut(BaseModel):
    counts_by_status: dict[str, int]
    active: Page[PortfolioItem] = Field(description="Approved, in progress and deployed use cases, latest first.")


class TimelineEntryOut(BaseModel):
    event_id: UUID
    type: str
    occurred_at: datetime
    producer: str
    actor: str | None
    payload: dict[str, Any]


class CommentOut(BaseModel):
    id: UUID
    author: str
    body: str
    created_at: datetime


class AuditEntryOut(BaseModel):
    occurred_at: datetime
    actor: str
    action: str
    details: dict[str, Any]


class ErasedDatasetOut(BaseModel):
    dataset_id: UUID
    erasure_id: UUID = Field(description="The data service's erasure (its tombstone).")
    report: str = Field(description="Where the data service reports which services have confirmed their part.")


class UseCaseErasureOut(BaseModel):
    """The tombstone of an erased use case, and the datasets erased with it as far as intake has learnt."""

    id: UUID
    usecase_id: UUID
    status: Literal["erased"] = "erased"
    team: str | None
    status_before: str = Field(description="The use case's status when it was erased (a live one was retired).")
    created_at: datetime = Field(description="When the use case was created.")
    reason: str
    erased_by: str
    erased_at: datetime
    erased: dict[str, int] = Field(description="What intake deleted, by kind (rows).")
    datasets: list[ErasedDatasetOut] = Field(
        description="Datasets of the use case erased so far (from dataset.erased; the data service erases every "
        "dataset of it when it receives usecase.erased, so this fills in shortly after the request)."
    )
