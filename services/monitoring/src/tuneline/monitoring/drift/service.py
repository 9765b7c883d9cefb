"""Reference profiles from dataset.ready, and periodic drift checks of each served model against its reference.

The reference of a model is the newest dataset version of its use case that was ready when its stable version
was deployed (the data it was most likely trained on), its inputs rendered in the use case's prompt template as
the served model sees them. Live inputs are the prompts logged for the stable
version in the drift window; a use case that does not allow logging prompts gets no input drift checks.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.events import DRIFT_DETECTED, DatasetReady, DriftDetected
from tuneline.common.messaging import add_event
from tuneline.common.records import ClassificationRecord, read_jsonl
from tuneline.common.storage import ObjectStore
from tuneline.monitoring.drift import repository
from tuneline.monitoring.drift.config import DriftConfig
from tuneline.monitoring.drift.detector import detect_drift
from tuneline.monitoring.drift.embedders import Embedder
from tuneline.monitoring.drift.reference import ReferenceProfile, build_reference
from tuneline.monitoring.drift.report import DriftCheckName, DriftReport
from tuneline.monitoring.drift.tables import DatasetReferenceRow, DriftReportRow
from tuneline.monitoring.models.tables import MonitoredModelRow
from tuneline.monitoring.rollups import repository as events_repository

log = structlog.get_logger(__name__)

DETECTOR_NAMES = {
    DriftCheckName.PROMPT_LENGTH: "prompt_length_ks",
    DriftCheckName.TOKEN_DISTRIBUTION: "vocabulary_psi",
    DriftCheckName.EMBEDDING_DISTRIBUTION: "embedding_mmd",
    DriftCheckName.LABEL_DISTRIBUTION: "label_chi2_psi",
}


async def load_training_inputs(store: ObjectStore, event: DatasetReady) -> tuple[list[str], list[str] | None]:
    uri = event.split_uris.get("train")
    if uri is None:
        raise ValueError(f"split_uris: dataset version {event.version_id} has no train split")
    data = await store.read_bytes(store.key_from_uri(uri))
    records = read_jsonl(data.splitlines(), "train split")
    # Live prompts are what the served model was sent: a classification input inside the use case's template
    # (as /v1/classify applies it and the model card tells chat clients to send it), so the reference is too.
    template = event.prompt_template
    texts = [
        template.render(record.text) if template and isinstance(record, ClassificationRecord) else record.input_text
        for record in records
    ]
    labels = [record.label for record in records if isinstance(record, ClassificationRecord)]
    return texts, (labels if labels and len(labels) == len(records) else None)


async def record_reference(
    session: AsyncSession, event: DatasetReady, store: ObjectStore, embedder: Embedder, config: DriftConfig
) -> DatasetReferenceRow:
    texts, labels = await load_training_inputs(store, event)
    # Tokenising and embedding thousands of records is CPU work: keep it off the event loop.
    profile = await asyncio.to_thread(build_reference, texts, embedder, config, labels)
    row = await session.get(DatasetReferenceRow, event.version_id)
    if row is None:
        row = DatasetReferenceRow(
            version_id=event.version_id,
            dataset_id=event.dataset_id,
            usecase_id=event.usecase_id,
            version_number=event.version_number,
            record_format=event.record_format,
            ready_at=event.occurred_at,
            profile=profile.to_dict(),
        )
        session.add(row)
    await session.flush()
    return row


async def evaluate_model(
    session: AsyncSession,
    model: MonitoredModelRow,
    now: datetime,
    window: timedelta,
    embedder: Embedder,
    config: DriftConfig,
    producer: str,
) -> DriftReport | None:
    """Check the stable version's recent inputs; store the report and publish drift.detected per drifted check."""
    if model.stable_version is None:
        return None
    reference_row = await repository.newest_reference(session, model.usecase_id, ready_before=model.deployed_at)
    reference_row = reference_row or await repository.newest_reference(session, model.usecase_id)
    if reference_row is None:
        return None
    inputs = await events_repository.recent_inputs(
        session, model.model_name, model.stable_version, now - window, now, config.max_live_samples
    )
    if not inputs:
        return None
    reference = ReferenceProfile.from_dict(reference_row.profile)
    texts = [prompt for prompt, _ in inputs]
    outputs = [output for _, output in inputs]
    labels = [o or "" for o in outputs] if reference.label_counts is not None and all(outputs) else None
    report = await asyncio.to_thread(
        lambda: detect_drift(
            reference,
            texts,
            embedder,
            config,
            model=model.model_name,
            version=model.stable_version or "",
            window_start=now - window,
            window_end=now,
            usecase_id=str(model.usecase_id),
            live_labels=labels,
        )
    )
    session.add(
        DriftReportRow(
            model_name=model.model_name,
            version=report.version,
            usecase_id=model.usecase_id,
            reference_version_id=reference_row.version_id,
            window_start=report.window_start,
            window_end=report.window_end,
            drifted=report.drifted,
            checks=[check.to_dict() for check in report.checks],
            created_at=now,
        )
    )
    for check in report.checks:
        if not check.drifted:
            continue
        await add_event(
            session,
            DRIFT_DETECTED,
            DriftDetected(
                producer=producer,
                usecase_id=model.usecase_id,
                model_name=model.model_name,
                version_id=_uuid_or_none(report.version),
                detector=DETECTOR_NAMES[check.name],
                statistic=check.statistic or 0.0,
                threshold=check.threshold if check.threshold is not None else (check.alpha or 0.0),
                p_value=check.p_value,
                reference_size=check.n_reference,
                window_size=check.n_live,
                evidence={"method": check.method, "alpha": check.alpha, **check.details},
                team=model.team,
            ),
        )
    log.info("monitoring.drift.evaluated", model=model.model_name, drifted=report.drifted, live=len(texts))
    return report


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
