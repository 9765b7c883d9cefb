"""create_app(): the data service (FastAPI + Kafka consumer + outbox relay + upload worker)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from tuneline.common.app import create_service_app
from tuneline.common.settings import load_settings
from tuneline.data import worker
from tuneline.data.datasets import api as datasets_api
from tuneline.data.datasets.context import build_context
from tuneline.data.erasure import api as erasure_api
from tuneline.data.erasure import consumers as erasure_consumers
from tuneline.data.settings import DataSettings
from tuneline.data.usecases import consumers as usecase_consumers

DESCRIPTION = (
    "Datasets for approved use cases: uploads (JSONL, JSON, CSV, TXT, PDF, DOCX; chunked and resumable), "
    "immutable versions with lineage, validation and quality score, PII findings and redaction, "
    "deduplication, splits, previews, labeling, erasure (the right to deletion) with a report of every service's "
    "confirmation. Publishes dataset.ready / dataset.rejected / dataset.erased; consumes usecase.approved, "
    "usecase.retired, usecase.erased (erases every dataset of the use case) and erasure.applied."
)


def create_app(settings: DataSettings | None = None) -> FastAPI:
    settings = settings or load_settings(DataSettings)
    return create_service_app(
        settings,
        title="Tuneline data",
        description=DESCRIPTION,
        routers=[datasets_api.router, erasure_api.router],
        consumers=[usecase_consumers.register, erasure_consumers.register],
        context=build_context,
        migrations=Path(__file__).parent / "migrations",
        on_startup=[worker.start],
        on_shutdown=[worker.stop],
    )
