"""Recording what an approved use case needs from its data (task type, base model, sensitivity, policy)."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.auth import audit
from tuneline.common.errors import Conflict
from tuneline.common.events import UseCaseApproved, UseCaseErased, UseCaseRetired, utcnow
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
    elif usecase.retired_at is not None or usecase.erased_at is not None:
        log.info("data.usecase.approval_after_retirement_ignored", usecase_id=str(event.usecase_id))
        return usecase
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
    usecase.prompt_template = event.prompt_template.model_dump(mode="json") if event.prompt_template else None
    usecase.approved_by = event.approved_by
    usecase.team = event.team
    usecase.owner = event.submitted_by
    usecase.approved_at = event.occurred_at
    usecase.trace_context = event.traceparent
    usecase.updated_at = utcnow()
    await repository.save(session, usecase)
    await audit(
        session,
        "data-service",
        "usecase.recorded",
        "usecase",
        event.usecase_id,
        task_type=event.task_type,
        team=event.team,
    )
    log.info("data.usecase.recorded", usecase_id=str(event.usecase_id), task_type=event.task_type)
    return usecase


async def record_retirement(session: AsyncSession, event: UseCaseRetired) -> DataUseCase | None:
    """The use case is closed: no new datasets, uploads or derived versions (what exists stays readable)."""
    usecase = await repository.get(session, event.usecase_id)
    if usecase is None:
        log.warning("data.usecase.retired_unknown", usecase_id=str(event.usecase_id))
        return None
    if usecase.retired_at is None:
        usecase.retired_at = event.occurred_at
        usecase.retired_reason = event.reason
        usecase.updated_at = utcnow()
        await repository.save(session, usecase)
        await audit(
            session, "data-service", "usecase.retired", "usecase", event.usecase_id, retired_by=event.retired_by
        )
        log.info("data.usecase.retired", usecase_id=str(event.usecase_id))
    return usecase


async def record_erasure(session: AsyncSession, event: UseCaseErased) -> DataUseCase | None:
    """The use case was erased: it takes no new datasets (its existing ones are erased by the caller) and its title
    and prompt template (words from the intake form) go. None for a use case this service never knew (one erased
    before approval has no datasets). Locks the row: a dataset being created for it now is committed first (and
    erased) or waits and is refused."""
    usecase = await repository.get(session, event.usecase_id, for_update=True)
    if usecase is None:
        log.info("data.usecase.erased_unknown", usecase_id=str(event.usecase_id))
        return None
    if usecase.erased_at is None:
        usecase.erased_at = event.occurred_at
        usecase.title = "(erased)"
        usecase.prompt_template = None
        usecase.updated_at = utcnow()
        await repository.save(session, usecase)
        await audit(session, "data-service", "usecase.erased", "usecase", event.usecase_id, erased_by=event.erased_by)
        log.info("data.usecase.erased", usecase_id=str(event.usecase_id))
    return usecase


def ensure_open(usecase: DataUseCase) -> None:
    """Refuse new data for a retired or erased use case (409 naming when and why)."""
    if usecase.erased_at is not None:
        raise Conflict(
            f"use case {usecase.usecase_id} was erased on {usecase.erased_at.date().isoformat()}: it takes no new "
            "datasets or data",
            field="usecase_id",
        )
    if usecase.retired_at is not None:
        raise Conflict(
            f"use case {usecase.usecase_id} was retired on {usecase.retired_at.date().isoformat()} "
            f"({usecase.retired_reason}): it takes no new datasets or data",
            field="usecase_id",
        )
