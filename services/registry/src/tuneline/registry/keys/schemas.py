"""Request and response models of the key API. The plaintext key appears in one response only: creation."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from tuneline.registry.keys.tables import ApiKeyRow


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    models: list[str] = Field(
        default_factory=list, description="Registered model names this key may call (at least one, unless fine_tuning)."
    )
    requests_per_minute: int = Field(default=600, gt=0, le=1_000_000)
    expires_at: datetime | None = Field(default=None, description="Timezone-aware expiry; none = no expiry.")
    fine_tuning: bool = Field(
        default=False,
        description="Also drive the OpenAI-compatible fine-tuning API (/v1/files, /v1/fine_tuning/jobs) with the "
        "creator's data_owner/ml_engineer roles; every model it fine-tunes there joins its scope.",
    )
    usecase_id: UUID | None = Field(
        default=None,
        description="Bind a fine-tuning key to one use case: its files and jobs go there without an OpenAI-Project "
        "header, and naming another project is refused (403).",
    )

    @model_validator(mode="after")
    def _scoped(self) -> KeyIn:
        if not self.models and not self.fine_tuning:
            raise ValueError("models: a key must be scoped to at least one model name (or set fine_tuning)")
        return self

    @field_validator("usecase_id")
    @classmethod
    def _bound_only_for_fine_tuning(cls, value: UUID | None, info: ValidationInfo) -> UUID | None:
        if value is not None and not info.data.get("fine_tuning"):
            raise ValueError("only a fine-tuning key (fine_tuning: true) is bound to a use case")
        return value


class KeyOut(BaseModel):
    prefix: str
    name: str
    owner: str
    models: list[str]
    fine_tuning_roles: list[str]
    usecase_id: UUID | None = None
    requests_per_minute: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiKeyRow) -> KeyOut:
        return cls.model_validate(row, from_attributes=True)


class CreatedKeyOut(KeyOut):
    key: str = Field(description="The key itself. Shown only in this response; store it now.")
