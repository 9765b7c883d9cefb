"""dataset.ready: summarise the new version's training inputs as a drift reference."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from tuneline.common.app import AppState
from tuneline.common.db import transaction
from tuneline.common.events import DATASET_READY, DatasetReady
from tuneline.common.messaging import claim_event
from tuneline.monitoring.drift import service
from tuneline.monitoring.drift.config import DriftConfig
from tuneline.monitoring.drift.embedders import Embedder, HashedBagOfWordsEmbedder

log = structlog.get_logger(__name__)


def drift_tools(state: AppState) -> tuple[Embedder, DriftConfig]:
    """The embedder and thresholds shared by reference building and drift checks (one per app)."""
    embedder = state.extras.setdefault("embedder", HashedBagOfWordsEmbedder())
    config = state.extras.setdefault("drift_config", DriftConfig())
    return embedder, config


def dataset_handler(state: AppState) -> Callable[[DatasetReady], Awaitable[None]]:
    embedder, config = drift_tools(state)

    async def on_dataset_ready(event: DatasetReady) -> None:
        async with transaction(state.sessions) as session:
            if not await claim_event(session, "monitoring", event.event_id, DATASET_READY.name):
                return
            row = await service.record_reference(session, event, state.store, embedder, config)
        log.info(
            "monitoring.reference.recorded", dataset_version_id=str(row.version_id), usecase_id=str(row.usecase_id)
        )

    return on_dataset_ready
