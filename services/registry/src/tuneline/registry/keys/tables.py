"""Registry table for inference API keys: hashes only, never the plaintext."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tuneline.common.events import utcnow


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "registry_api_keys"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    prefix: str = Field(unique=True)
    key_hash: str
    name: str
    owner: str
    # The creator's team: a fine-tuning key acts in it (the gateway mints its upstream token with this team).
    team: str | None = None
    # A fine-tuning key bound to one use case acts on that one only (no OpenAI-Project header needed or allowed).
    usecase_id: UUID | None = None
    models: list[str] = Field(default_factory=list, sa_type=JSONB)
    fine_tuning_roles: list[str] = Field(default_factory=list, sa_type=JSONB)  # [] = inference only
    requests_per_minute: int
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))

    def domain(self) -> Any:
        from tuneline.registry.keys.domain import ApiKey

        return ApiKey(
            prefix=self.prefix,
            key_hash=self.key_hash,
            name=self.name,
            owner=self.owner,
            models=frozenset(self.models),
            fine_tuning_roles=frozenset(self.fine_tuning_roles),
            created_at=self.created_at,
            requests_per_minute=self.requests_per_minute,
            expires_at=self.expires_at,
            revoked_at=self.revoked_at,
        )


class RateWindowRow(SQLModel, table=True):
    """Requests a key made in one fixed rate-limit window, shared by every gateway replica (see ratelimit.py)."""

    __tablename__ = "registry_rate_windows"

    prefix: str = Field(primary_key=True)
    window_start: int = Field(primary_key=True, sa_type=BigInteger)  # window number: unix seconds // window length
    hits: int = 0
