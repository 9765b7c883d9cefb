"""The monitoring service's typed lifespan state: drift tools shared by references and checks, loop tasks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tuneline.common.app import AppState
from tuneline.monitoring.drift.config import DriftConfig
from tuneline.monitoring.drift.embedders import Embedder, HashedBagOfWordsEmbedder
from tuneline.monitoring.settings import MonitoringSettings


@dataclass
class MonitoringContext:
    settings: MonitoringSettings
    embedder: Embedder = field(default_factory=HashedBagOfWordsEmbedder)
    drift_config: DriftConfig = field(default_factory=DriftConfig)
    loops: list[asyncio.Task[None]] = field(default_factory=list)


def build_context(state: AppState) -> MonitoringContext:
    settings = state.settings
    assert isinstance(settings, MonitoringSettings)
    return MonitoringContext(settings=settings)


def monitoring_context(state: AppState) -> MonitoringContext:
    return state.context_as(MonitoringContext)
