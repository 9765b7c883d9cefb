"""The data service's typed lifespan state: the processing engines, their process pool and the upload worker's task."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tuneline.common.app import AppState
from tuneline.data.datasets.engines import Engines
from tuneline.data.datasets.processes import ProcessingPool
from tuneline.data.settings import DataSettings


@dataclass
class DataContext:
    engines: Engines
    processing: ProcessingPool
    worker: asyncio.Task[None] | None = None
    processing_warm: asyncio.Task[None] | None = None


def build_context(state: AppState) -> DataContext:
    settings = state.settings
    assert isinstance(settings, DataSettings)
    engines = Engines(settings)
    return DataContext(engines=engines, processing=ProcessingPool(settings, engines))
