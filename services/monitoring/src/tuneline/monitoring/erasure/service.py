"""The rules of erasure in monitoring. No SQL, no commits.

Monitoring learns which model versions were trained on erased data from the registry's acknowledgement
(erasure.applied with model_version_ids): the registry is the only service that knows. So monitoring applies an
erasure once the registry has (the report shows monitoring pending until then), and erases both its part of the
dataset (drift references profiled from the erased versions) and the model versions' part (logged prompts and
outputs, feedback, roll-ups, quality and drift reports)."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import erasure
from tuneline.common.auth import audit
from tuneline.common.events import ErasureApplied
from tuneline.monitoring.erasure import repository
from tuneline.monitoring.rollups import repository as rollups_repository

log = structlog.get_logger(__name__)

#: The service whose acknowledgement names the model versions trained on the erased data.
REGISTRY = "registry"


async def erase_after_registry(session: AsyncSession, event: ErasureApplied, service: str) -> dict[str, int] | None:
    """Apply the erasure the registry has acknowledged; None for another service's acknowledgement or a repeat."""
    if event.service != REGISTRY or await erasure.applied(session, event.erasure_id):
        return None
    versions = set(event.version_ids)
    models = {str(v) for v in event.model_version_ids}
    await rollups_repository.lock_against_erasure(session, exclusive=True)
    await rollups_repository.remember_erased(session, models, event.erasure_id)
    requests = await repository.delete_inference_events(session, models) if models else []
    counts = {
        "references": await repository.delete_references(session, versions),
        "drift_reports": await repository.delete_drift_reports(session, versions, models),
        "inference_events": len(requests),
        "feedback": await repository.delete_feedback(session, set(requests)),
        "rollups": await repository.delete_rollups(session, models) if models else 0,
        "retrain_actions": await repository.forget_dataset_versions_in_retrain_actions(session, versions),
    }
    await audit(
        session,
        service,
        "monitoring.dataset.erased",
        "dataset",
        event.dataset_id,
        erasure_id=str(event.erasure_id),
        model_versions=sorted(models),
    )
    await erasure.acknowledge(session, event, service=service, counts=counts)
    log.info("monitoring.dataset.erased", erasure_id=str(event.erasure_id), **counts)
    return counts
