"""The rules for inference keys: issue (plaintext returned once), list and revoke (one's own; an admin anyone's).
Routers learn of changes through the deployments service, which pushes each model's key set into its router
config (the serving reconciler retries until it is applied)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.auth import Principal, Role, audit
from tuneline.common.errors import AccessDenied, InvalidInput, NotFound
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
    team: str | None = None,
    usecase_id: UUID | None = None,
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
        team=team,
        usecase_id=usecase_id,
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


def visible_to(actor: Principal) -> str | None:
    """Whose keys `actor` may list: their own; an admin everyone's (None)."""
    return None if Role.ADMIN in actor.roles else actor.subject


async def list_keys(
    session: AsyncSession, actor: Principal, prefix: str | None, model: str | None, limit: int
) -> list[ApiKeyRow]:
    return await repo.list_keys(session, prefix, model, limit, owner=visible_to(actor))


async def revoke_bound_to(session: AsyncSession, usecase_id: UUID, actor: str, reason: str) -> list[str]:
    """Revoke every live key bound to the use case (it was retired); returns their prefixes."""
    revoked = []
    for row in await repo.bound_to(session, usecase_id):
        row.revoked_at = utcnow()
        await audit(session, actor, "key.revoked", "api_key", row.prefix, owner=row.owner, reason=reason)
        revoked.append(row.prefix)
    return revoked


async def revoke(session: AsyncSession, prefix: str, actor: Principal) -> ApiKeyRow:
    """Revoke a key: its owner may, and an admin may revoke anyone's (audited as a denial otherwise)."""
    row = await repo.get(session, prefix, lock=True)
    if row is None:
        raise NotFound(f"no API key with prefix {prefix!r}")
    if row.owner != actor.subject and Role.ADMIN not in actor.roles:
        raise AccessDenied(
            f"API key {prefix} belongs to someone else; only its owner or an admin may revoke it",
            actor=actor.subject,
            action="revoke",
            resource_type="api_key",
            resource_id=prefix,
            team=row.team,
        )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await audit(session, actor, "key.revoked", "api_key", row.prefix, owner=row.owner)
    return row
