"""Recording what an approved use case needs from its data (task type, base model, sensitivity, policy)."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.auth import audit
from tuneline.common.events import UseCaseApproved, utcnow
from tuneline.data.usecases import repository
from tuneline.data.usecases.tables import DataUseCase

log = structlog.get_logger(__name__)


async def record_approval(session: AsyncSession, event: UseCaseApproved) -> DataUseCase:
    """Create or refresh the use case; a later approval (re-approval with a new policy) wins."""
    usecase = await repository.get(session, event.usecase_id)
    if usecase is None:
        usecase = DataUseCase(
            usecase_id=event.usecase_id,
            title=event.title,
            industry=event.industry,
            task_type=event.task_type,
            base_model=event.base_model,
            approved_by=event.approved_by,
            approved_at=event.occurred_at,
        )
    elif usecase.approved_at > event.occurred_at:
        log.info("data.usecase.stale_approval_ignored", usecase_id=str(event.usecase_id))
        return usecase
    usecase.title = event.title
    usecase.industry = event.industry
    usecase.task_type = event.task_type
    usecase.base_model = event.base_model
    usecase.sensitivity = event.sensitivity.model_dump()
    usecase.policy = event.policy.model_dump()
    usecase.labels = list(event.labels)
    usecase.approved_by = event.approved_by
    usecase.approved_at = event.occurred_at
    usecase.updated_at = utcnow()
    await repository.save(session, usecase)
    await audit(session, "data-service", "usecase.recorded", "usecase", event.usecase_id, task_type=event.task_type)
    log.info("data.usecase.recorded", usecase_id=str(event.usecase_id), task_type=event.task_type)
    return usecase
