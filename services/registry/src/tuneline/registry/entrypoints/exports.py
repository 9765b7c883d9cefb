"""REST routes for exports of a model version: ask for one (merged, GGUF, adapter), list them, read one, download.

An export is its model's: reading needs a known role of the model's team, asking for one `ml_engineer` in it, and
downloading the weights `ml_engineer` or `sre` (the people who deploy them; weights can carry what they were trained
on, so a viewer reads the record and the card but does not take the model away). Downloads are audited.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, StreamingResponse

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.app import SessionDep, StoreDep
from tuneline.common.auth import CurrentUser, Principal, Role, require_roles
from tuneline.registry.exports import archive, formats, service
from tuneline.registry.exports.schemas import ExportFormatsOut, ExportIn, ExportOut
from tuneline.registry.models import service as models_service

router = APIRouter(prefix="/models", tags=["exports"])

DEPLOYERS = (Role.ML_ENGINEER, Role.SRE)
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]
Engineer = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))]
Deployer = Annotated[Principal, Depends(require_roles(*DEPLOYERS))]

_EXPORTS = "/{name}/versions/{version}/exports"


@router.get("/exports/formats")
async def export_formats(user: Member) -> ExportFormatsOut:
    """The export formats and the GGUF quantizations this installation writes."""
    return ExportFormatsOut(
        formats=list(formats.ExportFormat),
        gguf_quantizations=list(formats.gguf_quantizations()),
        gguf_default=formats.DEFAULT_GGUF_QUANTIZATION,
        lossless=sorted(formats.LOSSLESS),
    )


@router.post(
    _EXPORTS,
    response_model=ExportOut,
    status_code=202,
    responses={200: {"model": ExportOut, "description": "Asked for before: the existing export."}},
)
async def request_export(name: str, version: int, body: ExportIn, session: SessionDep, user: Engineer) -> JSONResponse:
    """Queue an export (202), or return the one asked for before with the same format and quantization (200)."""
    await models_service.authorise(session, user, name, "export", (Role.ML_ENGINEER,))
    kind = formats.validate(body.format, body.quantization)
    located, created = await service.request(session, name, version, kind, user.subject)
    answer = ExportOut.of(located.row, located.model, located.version).model_dump(mode="json")
    return JSONResponse(answer, status_code=202 if created else 200)


@router.get(_EXPORTS)
async def list_exports(name: str, version: int, session: SessionDep, user: CurrentUser) -> list[ExportOut]:
    await models_service.authorise(session, user, name, "read")
    return [ExportOut.of(e.row, e.model, e.version) for e in await service.list_for_version(session, name, version)]


@router.get(f"{_EXPORTS}/{{export_id}}")
async def get_export(name: str, version: int, export_id: UUID, session: SessionDep, user: CurrentUser) -> ExportOut:
    await models_service.authorise(session, user, name, "read")
    located = await service.get(session, name, version, export_id)
    return ExportOut.of(located.row, located.model, located.version)


@router.get(
    f"{_EXPORTS}/{{export_id}}/download",
    response_class=StreamingResponse,
    summary="Download a completed export: the GGUF file, or a tar of a directory export, or one file of it",
    responses={200: {"content": {"application/octet-stream": {}, "application/x-tar": {}}}},
)
async def download_export(
    name: str,
    version: int,
    export_id: UUID,
    session: SessionDep,
    store: StoreDep,
    user: Deployer,
    file: Annotated[
        str | None,
        Query(max_length=500, description="One file of the export (a path from its `files`) instead of all of it."),
    ] = None,
) -> StreamingResponse:
    """A GGUF export is one file; a merged or adapter export comes as an uncompressed tar with a top folder
    `<model>-v<version>-<format>/` and a SHA256SUMS manifest (`sha256sum -c SHA256SUMS`), or file by file with
    `?file=`."""
    await models_service.authorise(session, user, name, "download an export of", DEPLOYERS)
    located, files = await service.download(session, name, version, export_id, file, user.subject)
    prefix = located.row.prefix.rstrip("/")
    if len(files) == 1 and (file is not None or located.row.format == formats.ExportFormat.GGUF):
        entry = files[0]
        return StreamingResponse(
            store.get(f"{prefix}/{entry['path']}"),
            media_type="application/octet-stream",
            headers=_attachment(entry["path"].rsplit("/", 1)[-1], int(entry["size"]), entry["sha256"]),
        )
    root = f"{name}-v{version}-{located.row.format}"
    finished = located.row.finished_at or located.row.created_at
    tar = archive.plan(prefix, root, files, finished.timestamp())
    return StreamingResponse(
        archive.stream(store, tar), media_type="application/x-tar", headers=_attachment(f"{root}.tar", tar.length)
    )


def _attachment(filename: str, length: int, sha256: str | None = None) -> dict[str, str]:
    headers = {"content-disposition": f'attachment; filename="{filename}"', "content-length": str(length)}
    if sha256 is not None:
        headers["x-content-sha256"] = sha256
    return headers
