"""The rules for inference keys: issue (plaintext returned once), list, revoke. Routers learn of changes through
the deployments service, which pushes each model's key set into its router config."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.auth import audit
from tuneline.common.errors import InvalidInput, NotFound
from tuneline.common.events import utcnow
from tuneline.registry.keys import repository as repo
from tuneline.registry.keys.domain import issue_key
from tuneline.registry.keys.tables import ApiKeyRow


async def create(
    session: AsyncSession,
    *,
    name: str,
    owner: str,
    models: list[str],
    requests_per_minute: int,
    expires_at: datetime | None,
    pepper: bytes,
    fine_tuning_roles: frozenset[str] = frozenset(),
) -> tuple[ApiKeyRow, str]:
    try:
        record, plaintext = issue_key(
            name=name,
            owner=owner,
            models=set(models),
            now=utcnow(),
            pepper=pepper,
            requests_per_minute=requests_per_minute,
            expires_at=expires_at,
            fine_tuning_roles=fine_tuning_roles,
        )
    except ValueError as exc:
        field = str(exc).split(":", 1)[0]
        raise InvalidInput(str(exc), field=field) from exc
    row = ApiKeyRow(
        prefix=record.prefix,
        key_hash=record.key_hash,
        name=record.name,
        owner=record.owner,
        models=sorted(record.models),
        fine_tuning_roles=sorted(record.fine_tuning_roles),
        requests_per_minute=record.requests_per_minute,
        created_at=record.created_at,
        expires_at=record.expires_at,
    )
    await repo.add(session, row)
    await audit(
        session, owner, "key.created", "api_key", row.prefix, models=row.models, fine_tuning=row.fine_tuning_roles
    )
    return row, plaintext


async def add_model(session: AsyncSession, prefix: str, model: str) -> ApiKeyRow | None:
    """Widen a key's scope to `model` (a model it fine-tuned); None when the key is gone or revoked."""
    row = await repo.get(session, prefix, lock=True)
    if row is None or row.revoked_at is not None:
        return None
    if model not in row.models:
        row.models = sorted({*row.models, model})
        await audit(session, row.owner, "key.scope.widened", "api_key", row.prefix, model=model)
    return row


async def revoke(session: AsyncSession, prefix: str, actor: str) -> ApiKeyRow:
    row = await repo.get(session, prefix, lock=True)
    if row is None:
        raise NotFound(f"no API key with prefix {prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await audit(session, actor, "key.revoked", "api_key", row.prefix)
    return row
