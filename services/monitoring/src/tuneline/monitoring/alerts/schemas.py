"""REST shapes for alert rules and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tuneline.monitoring.alerts.rules import Comparator, Metric, Severity


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    name: str = Field(min_length=1, max_length=200)
    metric: Metric
    comparator: Comparator
    threshold: float
    window_seconds: int = Field(ge=60, le=7 * 86_400, description="Window the metric is computed over.")
    severity: Severity
    min_samples: int = Field(
        default=1, ge=0, le=1_000_000_000, description="Observations needed before the rule decides."
    )
    model_name: str | None = Field(default=None, description="Only this model (all when empty).")
    version: str | None = None
    arm: str | None = None
    enabled: bool = True


class RulePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    name: str | None = Field(default=None, min_length=1, max_length=200)
    metric: Metric | None = None
    comparator: Comparator | None = None
    threshold: float | None = None
    window_seconds: int | None = Field(default=None, ge=60, le=7 * 86_400)
    severity: Severity | None = None
    min_samples: int | None = Field(default=None, ge=0, le=1_000_000_000)
    enabled: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> RulePatch:
        """Leaving a field out keeps it; sending null is no value a rule can have."""
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)}: may not be null (leave a field out to keep it)")
        return self


class RuleOut(RuleIn):
    model_config = ConfigDict(from_attributes=True, protected_namespaces=())

    id: UUID
    created_by: str
    created_at: datetime
    updated_at: datetime


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, protected_namespaces=())

    id: UUID
    fingerprint: str
    source: str = Field(description="Rule id, or 'canary-guard'.")
    title: str
    severity: str
    model_name: str
    version: str
    arm: str
    state: str
    message: str
    value: float | None
    threshold: float | None
    occurrences: int
    fired_at: datetime
    last_seen_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    evidence: dict[str, Any]
