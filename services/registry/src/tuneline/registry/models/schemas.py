"""Request and response models of the /models API."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from tuneline.common.records import PromptTemplate
from tuneline.common.storage import PublicUri
from tuneline.registry.models.repository import Loaded, policy_of
from tuneline.registry.models.tables import VersionRow


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VersionOut(BaseModel):
    id: UUID
    version: int
    stage: str
    base_model: str
    adapter_uri: PublicUri | None
    method: str
    job_id: UUID | None
    dataset_version_id: UUID | None
    evaluation_id: UUID | None
    evaluation: dict[str, Any] | None
    review: dict[str, Any] | None = Field(description="The latest reviewer's verdict.")
    reviews: list[dict[str, Any]] = Field(
        default_factory=list, description="Every reviewer's verdict, one per reviewer (a second review replaces)."
    )
    prompt_template: PromptTemplate | None = Field(
        default=None,
        description="How this version expects its input: POST the raw input to /v1/classify, or send "
        "prompt_template.render(input) as the user message of /v1/chat/completions.",
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: VersionRow) -> VersionOut:
        return cls.model_validate(row, from_attributes=True)


class ModelOut(BaseModel):
    id: UUID
    name: str
    usecase_id: UUID | None
    base_model: str
    task_type: str
    owner: str
    team: str | None = Field(
        default=None, description="The use case's team: who may see and act on the model; None: before teams."
    )
    policy: dict[str, Any] = Field(description="The model's effective policy: every field, defaults included.")
    created_at: datetime
    aliases: dict[str, int]
    production_version: int | None
    latest_version: int | None

    @classmethod
    def of(cls, loaded: Loaded) -> ModelOut:
        row = loaded.row
        production = loaded.model.production
        return cls(
            id=row.id,
            name=row.name,
            usecase_id=row.usecase_id,
            base_model=row.base_model,
            task_type=row.task_type,
            owner=row.owner,
            team=row.team,
            policy=asdict(policy_of(row)),
            created_at=row.created_at,
            aliases=dict(loaded.model.aliases),
            production_version=production.version if production else None,
            latest_version=max(loaded.versions, default=None),
        )


class TransitionIn(_In):
    stage: str = Field(description="Target stage: evaluation, staging, production, deprecated or archived.")
    reason: str = Field(default="", max_length=2000)


class ReviewIn(_In):
    approved: bool
    comment: str = Field(default="", max_length=2000)


class AliasIn(_In):
    version: int = Field(ge=1)


class PolicyIn(_In):
    """A change of a model's governance policy (admin only; audited with the values before and after)."""

    human_review_required: bool | None = None
    auto_rollback: bool | None = None
    log_prompts: bool | None = None
    review_min_reviewers: int | None = Field(
        default=None, ge=1, le=20, description="Distinct reviewers a required review needs before the version serves."
    )
    review_min_agreement: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Share of those reviewers who must approve (1.0: all of them; 0.5: at least half).",
    )


class DatasetDetails(_In):
    record_counts: dict[str, int] = Field(default_factory=dict)
    schema_: dict[str, str] = Field(default_factory=dict, alias="schema")
    pii_handling: str | None = None
    pii_findings: dict[str, int] = Field(default_factory=dict)
    quality_score: float | None = Field(default=None, ge=0, le=100)


class CardDetailsIn(_In):
    """What people add to a model card; training data appears as aggregates only, there is no field for records."""

    intended_use: str | None = Field(default=None, max_length=5000)
    owner: str | None = None
    license: str | None = None
    limitations: list[str] | None = None
    dataset: DatasetDetails | None = None

    def as_details(self) -> dict[str, Any]:
        out: dict[str, Any] = self.model_dump(exclude_none=True, exclude={"dataset"})
        if self.dataset is not None:
            out["dataset"] = self.dataset.model_dump(by_alias=True, exclude_none=True)
        return out
