"""Every query of the OpenAI gateway's tables."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.registry.deployments.tables import DeploymentRow
from tuneline.registry.models.tables import ModelRow, VersionRow
from tuneline.registry.openai_gateway.tables import OpenAIFileRow, OpenAIJobRow


async def add(session: AsyncSession, row: OpenAIFileRow | OpenAIJobRow) -> None:
    session.add(row)
    await session.flush()


async def get_file(session: AsyncSession, file_id: str) -> OpenAIFileRow | None:
    return await session.get(OpenAIFileRow, file_id)


async def list_files(session: AsyncSession, owner: str, purpose: str | None) -> list[OpenAIFileRow]:
    stmt = sa.select(OpenAIFileRow).where(OpenAIFileRow.owner == owner)
    if purpose:
        stmt = stmt.where(OpenAIFileRow.purpose == purpose)
    stmt = stmt.order_by(OpenAIFileRow.created_at.desc(), OpenAIFileRow.id)
    return list((await session.execute(stmt)).scalars().all())


async def delete_file(session: AsyncSession, row: OpenAIFileRow) -> None:
    await session.delete(row)
    await session.flush()


async def files_of(
    session: AsyncSession, dataset_id: UUID, version_ids: list[UUID], whole: bool
) -> list[OpenAIFileRow]:
    """The files that became one of `version_ids` (every file of the dataset when `whole`)."""
    mine = OpenAIFileRow.dataset_id == dataset_id if whole else OpenAIFileRow.version_id.in_(version_ids)
    return list((await session.execute(sa.select(OpenAIFileRow).where(mine))).scalars().all())


async def get_job(session: AsyncSession, job_id: str) -> OpenAIJobRow | None:
    return await session.get(OpenAIJobRow, job_id)


async def job_by_key(session: AsyncSession, owner: str, key: str) -> OpenAIJobRow | None:
    stmt = sa.select(OpenAIJobRow).where(OpenAIJobRow.owner == owner, OpenAIJobRow.idempotency_key == key)
    return (await session.execute(stmt)).scalars().first()


async def list_jobs(session: AsyncSession, owner: str) -> list[OpenAIJobRow]:
    stmt = (
        sa.select(OpenAIJobRow)
        .where(OpenAIJobRow.owner == owner)
        .order_by(OpenAIJobRow.created_at.desc(), OpenAIJobRow.id.desc())
    )
    return list((await session.execute(stmt)).scalars().all())


async def model_name_for_job(session: AsyncSession, training_job_id: UUID) -> str | None:
    """The registry's model name of the version a training job produced (registered after evaluation)."""
    stmt = (
        sa.select(ModelRow.name)
        .join(VersionRow, VersionRow.model_id == ModelRow.id)
        .where(VersionRow.job_id == training_job_id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()


async def deployments(session: AsyncSession) -> list[tuple[str, str | None, DeploymentRow]]:
    """Every deployment with its model's name and team."""
    stmt = sa.select(ModelRow.name, ModelRow.team, DeploymentRow).join(
        DeploymentRow, DeploymentRow.model_id == ModelRow.id
    )
    return [(name, team, row) for name, team, row in (await session.execute(stmt)).all()]


async def job_for_training_job(session: AsyncSession, training_job_id: UUID) -> OpenAIJobRow | None:
    stmt = sa.select(OpenAIJobRow).where(OpenAIJobRow.training_job_id == training_job_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def newest_version_of_job(session: AsyncSession, training_job_id: UUID) -> tuple[ModelRow, VersionRow] | None:
    """The model and the newest version that `training_job_id` trained, if the registry has registered one."""
    stmt = (
        sa.select(ModelRow, VersionRow)
        .join(VersionRow, VersionRow.model_id == ModelRow.id)
        .where(VersionRow.job_id == training_job_id)
        .order_by(VersionRow.version.desc())
        .limit(1)
    )
    found = (await session.execute(stmt)).first()
    return (found[0], found[1]) if found is not None else None
