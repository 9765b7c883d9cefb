"""Turning a built version into stored objects, a version row, a policy decision and its event."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.auth import audit
from tuneline.common.events import DATASET_READY, DATASET_REJECTED, DatasetReady, DatasetRejected, TokenStats
from tuneline.common.messaging import add_event
from tuneline.common.observability import linked_span
from tuneline.common.records import PromptTemplate
from tuneline.common.storage import ObjectStore
from tuneline.data.datasets import keys, repository
from tuneline.data.datasets.building import BuiltVersion
from tuneline.data.datasets.engines import Engines
from tuneline.data.datasets.policy import rejection_reasons
from tuneline.data.datasets.processes import ProcessingPool
from tuneline.data.datasets.tables import Dataset, DatasetVersion
from tuneline.data.settings import DataSettings
from tuneline.data.usecases.tables import DataUseCase

log = structlog.get_logger(__name__)


@dataclass
class Context:
    """What the rules need besides the session: configuration, object storage and the heavy engines."""

    settings: DataSettings
    store: ObjectStore
    engines: Engines
    processing: ProcessingPool


async def _put_file(store: ObjectStore, key: str, path: Path) -> None:
    with path.open("rb") as handle:
        await store.put(key, handle, content_type="application/x-ndjson")


async def store_built(
    ctx: Context, dataset_id: UUID, number: int, built: BuiltVersion, written: list[str] | None = None
) -> tuple[str, dict[str, str]]:
    """Upload the version's files; the keys this call created are appended to `written` (for clean-up)."""
    records_key = keys.records(dataset_id, built.content_hash)
    if not await ctx.store.exists(records_key):
        await _put_file(ctx.store, records_key, built.records_path)
        if written is not None:
            written.append(records_key)
    split_keys: dict[str, str] = {}
    for name, path in built.split_paths.items():
        split_keys[name] = keys.split(dataset_id, number, name)
        await _put_file(ctx.store, split_keys[name], path)
        if written is not None:
            written.append(split_keys[name])
    return records_key, split_keys


async def record_version(
    session: AsyncSession,
    ctx: Context,
    *,
    dataset: Dataset,
    usecase: DataUseCase,
    built: BuiltVersion,
    parent_id: UUID | None,
    operation: str,
    details: dict[str, Any],
    source: dict[str, Any],
    actor: str,
    superseded: bool = False,
    written: list[str] | None = None,
) -> DatasetVersion:
    """Store the files, write the immutable version and, unless it is superseded, decide and announce; the keys of
    the objects stored are appended to `written`, so a failure later in the upload can remove them.

    The version (and the dataset.ready it announces) belongs to the use case's story even though another request
    (an upload, a dedup) made it: its span links to the trace of the approval."""
    with linked_span(
        "data.version.record",
        usecase.trace_context,
        {"usecase_id": usecase.usecase_id, "dataset_id": dataset.id, "operation": operation},
    ):
        return await _record_version(
            session,
            ctx,
            dataset=dataset,
            usecase=usecase,
            built=built,
            parent_id=parent_id,
            operation=operation,
            details=details,
            source=source,
            actor=actor,
            superseded=superseded,
            written=written,
        )


async def _record_version(
    session: AsyncSession,
    ctx: Context,
    *,
    dataset: Dataset,
    usecase: DataUseCase,
    built: BuiltVersion,
    parent_id: UUID | None,
    operation: str,
    details: dict[str, Any],
    source: dict[str, Any],
    actor: str,
    superseded: bool,
    written: list[str] | None,
) -> DatasetVersion:
    number = await repository.next_version_number(session, dataset.id)
    records_key, split_keys = await store_built(ctx, dataset.id, number, built, written)
    reasons = rejection_reasons(
        built,
        task_type=usecase.task_type,
        policy=usecase.policy,
        sensitivity=usecase.sensitivity,
        labels=usecase.labels,
        max_format_error_share=ctx.settings.max_format_error_share,
    )
    status = "superseded" if superseded else ("rejected" if reasons else "ready")
    version = DatasetVersion(
        dataset_id=dataset.id,
        number=number,
        parent_id=parent_id,
        operation=operation,
        operation_details=details,
        status=status,
        record_format=built.mode.value,
        record_count=built.record_count,
        content_hash=built.content_hash,
        records_key=records_key,
        fields=built.fields,
        labels=built.labels,
        prompt_template=usecase.prompt_template,
        source=source,
        validation_report=built.report.model_dump(mode="json"),
        quality_score=built.report.quality.score,
        pii_report=built.pii_report.model_dump(mode="json") if built.pii_report is not None else None,
        remaining_pii=built.remaining_pii,
        split_report=built.split_plan.report.model_dump(mode="json"),
        split_keys=split_keys,
        token_stats=built.token_stats,
        rejection_reasons=[] if superseded else reasons,
        created_by=actor,
    )
    await repository.add(session, version)
    dataset.latest_version_id = version.id
    await audit(
        session,
        actor,
        f"dataset.version.{operation}",
        "dataset",
        dataset.id,
        version=number,
        version_id=str(version.id),
        records=built.record_count,
        content_hash=built.content_hash,
        status=status,
    )
    if not superseded:
        await announce(session, ctx, dataset, usecase, version, actor)
    await session.flush()
    log.info("data.version.created", dataset_id=str(dataset.id), version=number, status=status, operation=operation)
    return version


async def announce(
    session: AsyncSession, ctx: Context, dataset: Dataset, usecase: DataUseCase, version: DatasetVersion, actor: str
) -> None:
    """dataset.ready or dataset.rejected for `version`, in the caller's transaction (outbox)."""
    if version.status == "ready":
        dataset.ready_version_id = version.id
        tokens = version.token_stats
        await add_event(
            session,
            DATASET_READY,
            DatasetReady(
                producer=ctx.settings.service_name,
                usecase_id=usecase.usecase_id,
                dataset_id=dataset.id,
                version_id=version.id,
                version_number=version.number,
                content_hash=version.content_hash,
                record_format=version.record_format,
                split_uris={name: ctx.store.uri(key) for name, key in version.split_keys.items()},
                record_counts=dict(version.split_report.get("counts", {})),
                token_stats=TokenStats(
                    total=int(tokens["total"]),
                    mean=float(tokens["mean"]),
                    p95=float(tokens["p95"]),
                    max=int(tokens["max"]),
                    tokenizer=str(tokens["tokenizer"]),
                ),
                fields=version.fields,
                labels=version.labels,
                quality_score=version.quality_score,
                prompt_template=PromptTemplate.model_validate(version.prompt_template)
                if version.prompt_template
                else None,
            ),
        )
        await audit(session, actor, "dataset.ready", "dataset", dataset.id, version=version.number)
    else:
        await add_event(
            session,
            DATASET_REJECTED,
            DatasetRejected(
                producer=ctx.settings.service_name,
                usecase_id=usecase.usecase_id,
                dataset_id=dataset.id,
                version_id=version.id,
                reasons=version.rejection_reasons,
                quality_score=version.quality_score,
            ),
        )
        await audit(
            session,
            actor,
            "dataset.rejected",
            "dataset",
            dataset.id,
            version=version.number,
            reasons=version.rejection_reasons,
        )
