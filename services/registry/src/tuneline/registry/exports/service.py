"""The rules for exports: asking for one (idempotent), what a runner may do with it, erasure, the card's list.

No SQL (repository), no commits (the request or the runner's transaction commits), no HTTP, no torch (the recipe
runs in a process of its own, see runner.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import erasure
from tuneline.common.auth import audit
from tuneline.common.errors import Conflict, NotFound
from tuneline.common.events import utcnow
from tuneline.common.storage import ObjectStore
from tuneline.common.waiting import announce_work
from tuneline.registry.exports import repository as repo
from tuneline.registry.exports.formats import ExportKind
from tuneline.registry.exports.tables import ExportRow
from tuneline.registry.models import service as models_service
from tuneline.registry.models.card import ExportSummary
from tuneline.registry.models.lifecycle import Stage
from tuneline.registry.models.tables import VersionRow

log = structlog.get_logger(__name__)

#: Statuses in which asking again returns the export as it is (a failed one is queued again).
KEPT = ("queued", "running", "completed")


@dataclass(frozen=True)
class Located:
    """An export with the model name and version number it belongs to."""

    row: ExportRow
    model: str
    version: int


async def request(session: AsyncSession, name: str, version: int, kind: ExportKind, actor: str) -> tuple[Located, bool]:
    """The export of `version` in `kind`: the existing one when it was asked for before (False), else a new one
    queued for the runners (True). A failed export asked for again is queued again."""
    loaded = await models_service.load(session, name, lock=True)  # one request per model at a time
    if version not in loaded.versions:
        raise NotFound(f"model {name!r} has no version {version}")
    row = loaded.row_of(version)
    _ensure_exportable(loaded.model.get(version).stage, row, version)
    existing = await repo.find(session, row.id, kind.format.value, kind.quantization)
    if existing is not None and existing.status in KEPT:
        return Located(existing, name, version), False
    if existing is not None:  # failed before: try again from scratch, for whoever asks now
        _reset(existing)
        existing.requested_by = actor
        export = existing
    else:
        export_id = uuid4()
        export = ExportRow(
            id=export_id,
            model_id=loaded.row.id,
            version_id=row.id,
            format=kind.format.value,
            quantization=kind.quantization,
            requested_by=actor,
            prefix=f"exports/{export_id}",
        )
        session.add(export)
    await session.flush()
    await announce_work(session)
    await audit(
        session,
        actor,
        "model.export_requested",
        "model_version",
        row.id,
        model=name,
        version=version,
        export_id=str(export.id),
        format=kind.format.value,
        quantization=kind.quantization,
    )
    return Located(export, name, version), True


def _ensure_exportable(stage: Stage, row: VersionRow, version: int) -> None:
    if stage is Stage.ARCHIVED:
        raise Conflict(f"version {version} is archived; an archived version is not exported (its data may be erased)")
    if row.adapter_uri is None:
        raise Conflict(f"version {version} has no adapter; there is nothing fine-tuned to export")


def _reset(row: ExportRow) -> None:
    row.status, row.reason, row.worker, row.heartbeat_at = "queued", None, None, None
    row.attempts, row.files, row.size_bytes, row.sha256 = 0, [], None, None
    row.verification, row.details, row.started_at, row.finished_at = None, {}, None, None
    row.updated_at = utcnow()


async def list_for_version(session: AsyncSession, name: str, version: int) -> list[Located]:
    row = await _version(session, name, version)
    return [Located(e, name, version) for e in await repo.of_version(session, row.id)]


async def get(session: AsyncSession, name: str, version: int, export_id: UUID) -> Located:
    row = await _version(session, name, version)
    export = await repo.get(session, export_id)
    if export is None or export.version_id != row.id:
        raise NotFound(f"model {name!r} version {version} has no export {export_id}")
    return Located(export, name, version)


async def download(
    session: AsyncSession, name: str, version: int, export_id: UUID, file: str | None, actor: str
) -> tuple[Located, list[dict[str, Any]]]:
    """The files a download streams (one, or every file of the export), audited."""
    located = await get(session, name, version, export_id)
    export = located.row
    if export.status != "completed":
        raise Conflict(f"export {export_id} is {export.status}; only a completed export can be downloaded")
    files = export.files
    if file is not None:
        files = [f for f in export.files if f["path"] == file]
        if not files:
            raise NotFound(
                f"export {export_id} has no file {file!r}; its files: {', '.join(f['path'] for f in export.files)}",
                field="file",
            )
    await audit(
        session, actor, "model.export_downloaded", "model_export", export.id, model=name, version=version, file=file
    )
    return located, files


async def _version(session: AsyncSession, name: str, version: int) -> VersionRow:
    loaded = await models_service.load(session, name)
    if version not in loaded.versions:
        raise NotFound(f"model {name!r} has no version {version}")
    return loaded.row_of(version)


# ------------------------------------------------------------------------------------------------ the runner's


async def recover_lost(session: AsyncSession, export: ExportRow, max_attempts: int, actor: str) -> str:
    """A running export whose runner stopped stamping it: queued again, or failed after `max_attempts` starts."""
    lost = export.worker
    if export.attempts >= max_attempts:
        finish(export, "failed", f"the export process was lost {export.attempts} time(s) (last runner: {lost})")
        outcome = "failed"
    else:
        export.status, export.worker, export.heartbeat_at, export.updated_at = "queued", None, None, utcnow()
        await announce_work(session)
        outcome = "requeued"
    await audit(session, actor, f"model.export_{outcome}", "model_export", export.id, runner=lost)
    return outcome


def finish(export: ExportRow, status: str, reason: str | None, verification: dict[str, Any] | None = None) -> None:
    export.status, export.reason, export.worker = status, reason, None
    export.finished_at = export.updated_at = utcnow()
    if verification is not None:
        export.verification = verification


def complete(export: ExportRow, result: dict[str, Any]) -> None:
    """Record a built and checked export: its files, size, digest, verification and what was written."""
    files = result["files"]
    export.files = files
    export.size_bytes = sum(int(f["size"]) for f in files)
    export.sha256 = files[0]["sha256"] if export.format == "gguf" else _manifest_digest(files)
    export.details = result.get("details") or {}
    finish(export, "completed", None, result["verification"])


def _manifest_digest(files: list[dict[str, Any]]) -> str:
    from tuneline.registry.exports.recipe import MANIFEST

    return next(f["sha256"] for f in files if f["path"] == MANIFEST)


async def erase_for_versions(session: AsyncSession, store: ObjectStore, version_ids: set[UUID], reason: str) -> int:
    """Exports of versions trained on erased data: their objects deleted, the record kept as `erased` with the
    reason (a running one is stopped by its runner, which finds it erased). Returns the objects deleted."""
    deleted = 0
    for export in await repo.of_versions(session, version_ids):
        deleted += await erasure.delete_prefix(store, export.prefix.rstrip("/") + "/")
        if export.status != "erased":
            finish(export, "erased", reason)
            export.files, export.size_bytes, export.sha256 = [], None, None
            export.verification, export.details = None, {}
    return deleted


async def card_entries(session: AsyncSession, version_id: UUID) -> list[ExportSummary]:
    """The completed exports of a version, as the model card lists them."""
    return [summary(e) for e in await repo.of_version(session, version_id) if e.status == "completed"]


def summary(export: ExportRow) -> ExportSummary:
    verification = export.verification or {}
    return ExportSummary(
        format=export.format,
        quantization=export.quantization,
        size_bytes=export.size_bytes or 0,
        sha256=export.sha256 or "",
        prompts=int(verification.get("prompts", 0)),
        matched=int(verification.get("matched", 0)),
        token_agreement=verification.get("token_agreement"),
        exact_expected=bool(verification.get("exact_expected", False)),
        created_at=export.finished_at or export.created_at,
    )
