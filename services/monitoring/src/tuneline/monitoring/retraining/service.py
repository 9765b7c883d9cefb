"""Turn drift or degraded quality into a retrain request (or a request for data), within the use case's limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.events import RETRAIN_REQUESTED, RetrainRequested
from tuneline.common.messaging import add_event
from tuneline.monitoring.drift import repository as references
from tuneline.monitoring.drift.tables import DatasetReferenceRow
from tuneline.monitoring.retraining import repository
from tuneline.monitoring.retraining.policy import (
    DatasetVersion,
    RetrainDecision,
    RetrainPolicy,
    RetrainTrigger,
    decide_retrain,
    schedule_due,
)
from tuneline.monitoring.retraining.tables import RetrainActionRow, RetrainPolicyRow


def policy_of(row: RetrainPolicyRow | None, usecase_id: UUID) -> RetrainPolicy:
    if row is None:
        return RetrainPolicy(usecase_id=str(usecase_id))
    return RetrainPolicy(
        usecase_id=str(usecase_id),
        enabled=row.enabled,
        on_drift=row.on_drift,
        on_quality_degradation=row.on_quality_degradation,
        cooldown=timedelta(seconds=row.cooldown_seconds),
        max_actions=row.max_actions,
        window=timedelta(seconds=row.window_seconds),
        schedule_every=timedelta(seconds=row.schedule_every_seconds) if row.schedule_every_seconds else None,
    )


def _version(row: DatasetReferenceRow | None) -> DatasetVersion | None:
    if row is None:
        return None
    return DatasetVersion(dataset_id=str(row.dataset_id), version=str(row.version_id), ready_at=row.ready_at)


async def past_actions(session: AsyncSession, usecase_id: UUID, since: datetime) -> list[datetime]:
    return await repository.action_times(session, usecase_id, since)


async def consider_retrain(
    session: AsyncSession,
    *,
    usecase_id: UUID,
    model_name: str,
    deployed_at: datetime,
    trigger: RetrainTrigger,
    detail: str,
    now: datetime,
    producer: str,
) -> RetrainDecision:
    """Decide, remember an acting decision and publish retrain.requested through the outbox."""
    # Serialise decisions per use case so two replicas cannot both pass the rate limit.
    await repository.lock_usecase(session, usecase_id)
    policy = policy_of(await repository.get_policy(session, usecase_id), usecase_id)
    newest = await references.newest_reference(session, usecase_id)
    trained_on = await references.newest_reference(session, usecase_id, ready_before=deployed_at)
    history = await past_actions(session, usecase_id, now - max(policy.window, policy.cooldown))
    decision = decide_retrain(
        policy,
        trigger,
        now=now,
        past_actions=history,
        newest_dataset=_version(newest),
        trained_on=_version(trained_on),
        detail=detail,
    )
    if not decision.acts:
        return decision
    dataset_row = newest if decision.dataset is not None and newest is not None else None
    await repository.add(
        session,
        RetrainActionRow(
            usecase_id=usecase_id,
            action=decision.action.value,
            trigger=trigger.value,
            reason=decision.reason,
            dataset_version_id=dataset_row.version_id if dataset_row else None,
            decided_at=now,
        ),
    )
    await add_event(
        session,
        RETRAIN_REQUESTED,
        RetrainRequested(
            producer=producer,
            usecase_id=usecase_id,
            model_name=model_name,
            reason=decision.reason,
            dataset_id=dataset_row.dataset_id if dataset_row else None,
            dataset_version_id=dataset_row.version_id if dataset_row else None,
            needs_new_data=decision.action.value == "request_new_data",
        ),
    )
    return decision


async def scheduled_usecases(session: AsyncSession) -> list[UUID]:
    """Use cases whose enabled policy asks for periodic retraining."""
    return [row.usecase_id for row in await repository.scheduled_policies(session)]


async def schedule_due_now(session: AsyncSession, usecase_id: UUID, now: datetime) -> RetrainPolicy | None:
    """The policy when a periodic retrain is due for `usecase_id` at `now` (None when not), under the use case's
    lock. The period runs from the last scheduled action, or from when the policy was set: both are stored, so a
    restart neither skips nor repeats a period."""
    await repository.lock_usecase(session, usecase_id)
    row = await repository.get_policy(session, usecase_id)
    if row is None:
        return None
    policy = policy_of(row, usecase_id)
    last = await repository.last_action_at(session, usecase_id, RetrainTrigger.SCHEDULE.value)
    return policy if schedule_due(policy, last or row.updated_at, now) else None
