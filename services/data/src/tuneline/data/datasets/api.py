"""REST routes for datasets: parse, authorise, call the service, shape the answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.app import SessionDep, StateDep
from tuneline.common.auth import CurrentUser, Principal, Role, require_roles
from tuneline.common.errors import InvalidInput
from tuneline.data.datasets import service
from tuneline.data.datasets.context import DataContext
from tuneline.data.datasets.schemas import (
    AuditEntry,
    CreateDataset,
    DatasetOut,
    LabelRequest,
    LineageEntry,
    RecordsPage,
    RedactRequest,
    RollbackRequest,
    SplitRequest,
    StartUpload,
    UploadAccepted,
    UploadOut,
    VersionOut,
)
from tuneline.data.datasets.tables import DatasetVersion, Upload
from tuneline.data.datasets.versions import Context
from tuneline.data.processing.splits import SplitSpec
from tuneline.data.settings import DataSettings

router = APIRouter(prefix="/datasets", tags=["datasets"])

DataOwner = Annotated[Principal, Depends(require_roles(Role.DATA_OWNER))]
#: A role Tuneline knows: which datasets a listing shows is the team's business (`scope_of`).
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]


def get_context(state: StateDep) -> Context:
    settings = state.settings
    assert isinstance(settings, DataSettings)
    data = state.context_as(DataContext)
    return Context(settings=settings, store=state.store, engines=data.engines, processing=data.processing)


ContextDep = Annotated[Context, Depends(get_context)]


def _answer(upload: Upload, version: DatasetVersion | None) -> JSONResponse:
    """201 with the version, 202 when queued, 422 naming the problem when the file was rejected."""
    body = UploadAccepted(upload=UploadOut.of(upload), version=VersionOut.of(version) if version else None)
    if upload.status == "failed":
        payload = {"error": upload.error_code, "detail": upload.error, **body.model_dump(mode="json")}
        return JSONResponse(payload, status_code=422)
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if version else 202)


@router.post("", status_code=201, summary="Create a dataset for an approved use case")
async def create_dataset(request: CreateDataset, session: SessionDep, user: DataOwner) -> DatasetOut:
    return DatasetOut.of(await service.create_dataset(session, user, request))


@router.get("", summary="List datasets you may see")
async def list_datasets(
    session: SessionDep,
    user: Member,
    usecase_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[DatasetOut]:
    return [DatasetOut.of(d) for d in await service.list_datasets(session, user, usecase_id, limit, offset)]


@router.get("/{dataset_id}", summary="One dataset")
async def get_dataset(dataset_id: UUID, session: SessionDep, user: CurrentUser) -> DatasetOut:
    return DatasetOut.of(await service.get_dataset(session, user, dataset_id))


@router.post(
    "/{dataset_id}/versions",
    summary="Upload a file (multipart) as a new version",
    responses={201: {"model": UploadAccepted}, 202: {"model": UploadAccepted}, 422: {"description": "rejected file"}},
)
async def upload_file(
    dataset_id: UUID,
    session: SessionDep,
    ctx: ContextDep,
    user: DataOwner,
    file: Annotated[UploadFile, File(description="JSONL, JSON, CSV, TXT, PDF or DOCX")],
    mode: Annotated[str | None, Form()] = None,
    mapping: Annotated[str | None, Form(description='JSON object, e.g. {"prompt": "question"}')] = None,
    split: Annotated[str | None, Form()] = None,
    seed: Annotated[int | None, Form()] = None,
    stratified: Annotated[bool, Form()] = True,
) -> JSONResponse:
    try:
        parsed_mapping = json.loads(mapping) if mapping else {}
        start = StartUpload(
            filename=file.filename or "",
            mode=mode,
            mapping=parsed_mapping,
            split=split,
            seed=seed,
            stratified=stratified,
        )
    except json.JSONDecodeError:
        raise InvalidInput("mapping must be a JSON object", field="mapping") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        raise InvalidInput(str(error["msg"]), field=".".join(str(p) for p in error["loc"])) from None
    _, upload = await service.start_upload(session, user, dataset_id, start)
    await service.receive_part(session, ctx, upload, 1, _file_chunks(file))
    version = await service.complete_upload(session, ctx, user, dataset_id, upload)
    return _answer(upload, version)


async def _file_chunks(file: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await file.read(1024 * 1024):
        yield chunk


@router.post("/{dataset_id}/uploads", status_code=201, summary="Start a chunked, resumable upload")
async def start_upload(dataset_id: UUID, request: StartUpload, session: SessionDep, user: DataOwner) -> UploadOut:
    _, upload = await service.start_upload(session, user, dataset_id, request)
    return UploadOut.of(upload)


@router.put("/{dataset_id}/uploads/{upload_id}/parts/{number}", summary="Send one part (raw body); resend to replace")
async def put_part(
    dataset_id: UUID,
    upload_id: UUID,
    number: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    user: DataOwner,
) -> UploadOut:
    upload = await service.get_upload(session, user, dataset_id, upload_id)
    return UploadOut.of(await service.receive_part(session, ctx, upload, number, request.stream()))


@router.get("/{dataset_id}/uploads/{upload_id}", summary="Upload state: parts received, status, error, version")
async def get_upload(dataset_id: UUID, upload_id: UUID, session: SessionDep, user: DataOwner) -> UploadOut:
    return UploadOut.of(await service.get_upload(session, user, dataset_id, upload_id, for_update=False))


@router.post(
    "/{dataset_id}/uploads/{upload_id}/complete",
    summary="Finish an upload: processed now when small (201), else queued (202)",
    responses={201: {"model": UploadAccepted}, 202: {"model": UploadAccepted}, 422: {"description": "rejected file"}},
)
async def complete_upload(
    dataset_id: UUID, upload_id: UUID, session: SessionDep, ctx: ContextDep, user: DataOwner
) -> JSONResponse:
    upload = await service.get_upload(session, user, dataset_id, upload_id)
    version = await service.complete_upload(session, ctx, user, dataset_id, upload)
    return _answer(upload, version)


@router.delete("/{dataset_id}/uploads/{upload_id}", status_code=204, summary="Abort an upload and drop its parts")
async def abort_upload(
    dataset_id: UUID, upload_id: UUID, session: SessionDep, ctx: ContextDep, user: DataOwner
) -> None:
    upload = await service.get_upload(session, user, dataset_id, upload_id)
    await service.abort_upload(session, ctx, user, upload)


@router.get("/{dataset_id}/versions", summary="All versions, oldest first")
async def list_versions(dataset_id: UUID, session: SessionDep, user: CurrentUser) -> list[VersionOut]:
    return [VersionOut.of(v) for v in await service.list_versions(session, user, dataset_id)]


@router.get("/{dataset_id}/versions/{number}", summary="One version")
async def get_version(dataset_id: UUID, number: int, session: SessionDep, user: CurrentUser) -> VersionOut:
    return VersionOut.of(await service.get_version(session, user, dataset_id, number))


@router.get("/{dataset_id}/versions/{number}/report", summary="Validation report and quality score")
async def get_report(dataset_id: UUID, number: int, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return (await service.get_version(session, user, dataset_id, number)).validation_report


@router.get("/{dataset_id}/versions/{number}/pii", summary="PII findings (masked examples only)")
async def get_pii(dataset_id: UUID, number: int, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    version = await service.get_version(session, user, dataset_id, number)
    return {"scanned": version.pii_report is not None, "remaining": version.remaining_pii, "report": version.pii_report}


@router.get("/{dataset_id}/versions/{number}/splits", summary="Split counts, leakage check and object URIs")
async def get_splits(
    dataset_id: UUID, number: int, session: SessionDep, ctx: ContextDep, user: CurrentUser
) -> dict[str, Any]:
    version = await service.get_version(session, user, dataset_id, number)
    uris = {name: ctx.store.uri(key) for name, key in version.split_keys.items()}
    return {"report": version.split_report, "uris": uris}


@router.get("/{dataset_id}/versions/{number}/lineage", summary="This version and its ancestors")
async def get_lineage(dataset_id: UUID, number: int, session: SessionDep, user: CurrentUser) -> list[LineageEntry]:
    chain = await service.lineage(session, user, dataset_id, number)
    return [LineageEntry.model_validate(v, from_attributes=True) for v in chain]


@router.get("/{dataset_id}/versions/{number}/preview", summary="Records in order (content access rules apply)")
async def preview(
    dataset_id: UUID,
    number: int,
    session: SessionDep,
    ctx: ContextDep,
    user: CurrentUser,
    split: str | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1)] = 20,
) -> RecordsPage:
    records = await service.preview(session, ctx, user, dataset_id, number, split=split, offset=offset, limit=limit)
    return RecordsPage(version=number, split=split, offset=offset, records=records)


@router.get("/{dataset_id}/versions/{number}/sample", summary="A seeded random sample")
async def sample(
    dataset_id: UUID,
    number: int,
    session: SessionDep,
    ctx: ContextDep,
    user: CurrentUser,
    split: str | None = None,
    size: Annotated[int, Query(ge=1)] = 20,
    seed: int = 0,
) -> RecordsPage:
    records = await service.sample(session, ctx, user, dataset_id, number, split=split, size=size, seed=seed)
    return RecordsPage(version=number, split=split, offset=0, records=records)


@router.post("/{dataset_id}/versions/{number}/redact", status_code=201, summary="New version with PII redacted")
async def redact(
    dataset_id: UUID, number: int, request: RedactRequest, session: SessionDep, ctx: ContextDep, user: DataOwner
) -> VersionOut:
    return VersionOut.of(await service.redact(session, ctx, user, dataset_id, number, request))


@router.post("/{dataset_id}/versions/{number}/dedup", status_code=201, summary="New version without duplicates")
async def dedup(dataset_id: UUID, number: int, session: SessionDep, ctx: ContextDep, user: DataOwner) -> VersionOut:
    return VersionOut.of(await service.deduplicate(session, ctx, user, dataset_id, number))


@router.post("/{dataset_id}/versions/{number}/labels", status_code=201, summary="New version with labels applied")
async def label(
    dataset_id: UUID, number: int, request: LabelRequest, session: SessionDep, ctx: ContextDep, user: DataOwner
) -> VersionOut:
    return VersionOut.of(await service.apply_labels(session, ctx, user, dataset_id, number, request))


@router.post("/{dataset_id}/versions/{number}/split", status_code=201, summary="New version with other splits")
async def split(
    dataset_id: UUID, number: int, request: SplitRequest, session: SessionDep, ctx: ContextDep, user: DataOwner
) -> VersionOut:
    try:
        spec = SplitSpec.parse(request.ratios, seed=request.seed, stratified=request.stratified)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="ratios") from None
    return VersionOut.of(await service.resplit(session, ctx, user, dataset_id, number, spec))


@router.post("/{dataset_id}/rollback", status_code=201, summary="New version restoring an earlier one")
async def rollback(
    dataset_id: UUID, request: RollbackRequest, session: SessionDep, ctx: ContextDep, user: DataOwner
) -> VersionOut:
    return VersionOut.of(await service.rollback(session, ctx, user, dataset_id, request.to_version))


@router.get("/{dataset_id}/audit", summary="Audit trail of the dataset")
async def audit_trail(
    dataset_id: UUID, session: SessionDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditEntry]:
    rows = await service.audit_trail(session, user, dataset_id, limit)
    return [AuditEntry.model_validate(r, from_attributes=True) for r in rows]
