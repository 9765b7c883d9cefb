"""deployment.updated: which versions a model serves as stable and canary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import DEPLOYMENT_UPDATED, DeploymentUpdated
from tuneline.common.messaging import claim_event
from tuneline.monitoring.models import service

log = structlog.get_logger(__name__)


def deployment_handler(state: AppState) -> Callable[[DeploymentUpdated], Awaitable[None]]:
    async def on_deployment_updated(event: DeploymentUpdated) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, "monitoring", event.event_id, DEPLOYMENT_UPDATED.name):
                return
            row = await service.record_deployment(session, event)
        log.info(
            "monitoring.deployment.recorded",
            model=row.model_name,
            stable=row.stable_version,
            canary=row.canary_version,
            usecase_id=str(row.usecase_id),
        )

    return on_deployment_updated
