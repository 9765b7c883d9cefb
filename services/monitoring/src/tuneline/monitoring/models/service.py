"""Keep monitoring's view of deployments (which versions serve as stable and canary, for which use case)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.events import DeploymentUpdated, utcnow
from tuneline.monitoring.models import repository
from tuneline.monitoring.models.tables import MonitoredModelRow


async def record_deployment(session: AsyncSession, event: DeploymentUpdated) -> MonitoredModelRow:
    row = await repository.get_model(session, event.name, lock=True)
    stable = str(event.stable_version_id) if event.stable_version_id else None
    canary = str(event.canary_version_id) if event.canary_version_id else None
    if row is None:
        row = MonitoredModelRow(
            model_name=event.name,
            usecase_id=event.usecase_id,
            model_id=event.model_id,
            deployment_id=event.deployment_id,
            status=event.status,
            deployed_at=event.occurred_at,
        )
        await repository.add(session, row)
    elif row.stable_version != stable:
        row.deployed_at = event.occurred_at
    row.usecase_id, row.model_id, row.deployment_id = event.usecase_id, event.model_id, event.deployment_id
    if event.team is not None:  # an event from before models carried a team never takes one away
        row.team = event.team
    row.stable_version, row.canary_version = stable, canary
    row.canary_weight = event.canary_weight if canary else 0.0
    row.status = event.status
    row.updated_at = utcnow()
    await session.flush()
    return row


async def all_models(session: AsyncSession) -> list[MonitoredModelRow]:
    return await repository.all_models(session)


async def get_model(session: AsyncSession, name: str) -> MonitoredModelRow | None:
    return await repository.get_model(session, name)


async def models_of_usecase(session: AsyncSession, usecase_id: UUID) -> list[MonitoredModelRow]:
    return await repository.models_of_usecase(session, usecase_id)
