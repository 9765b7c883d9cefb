"""REST routes of erasure: erase a dataset or a version (and what derives from it), read the erasure report."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser
from tuneline.data.datasets.api import ContextDep
from tuneline.data.erasure import service
from tuneline.data.erasure.schemas import EraseRequest, ErasureReport

router = APIRouter(prefix="/datasets", tags=["erasure"])


@router.delete(
    "/{dataset_id}",
    status_code=202,
    summary="Erase a dataset: its versions, uploads and objects (the right to deletion)",
    description="Removes every version, upload and stored object of the dataset now, leaves a tombstone (who, when, "
    "why, which ids) and publishes dataset.erased; the other services erase what they derived from it and confirm. "
    "The answer is the erasure report (GET /datasets/{id}/erasure shows which services have confirmed).",
)
async def erase_dataset(
    dataset_id: UUID, request: EraseRequest, session: SessionDep, ctx: ContextDep, user: CurrentUser
) -> ErasureReport:
    erasure = await service.erase_dataset(
        session, ctx.store, ctx.settings.service_name, user, dataset_id, request.reason
    )
    return ErasureReport.of(erasure, [])


@router.delete(
    "/{dataset_id}/versions/{number}",
    status_code=202,
    summary="Erase a version and every version derived from it",
    description="Derived: a redact, dedup, label or split of it, or a rollback to it (transitively). Other "
    "versions stay. Otherwise as erasing a dataset.",
)
async def erase_version(
    dataset_id: UUID, number: int, request: EraseRequest, session: SessionDep, ctx: ContextDep, user: CurrentUser
) -> ErasureReport:
    erasure = await service.erase_version(
        session, ctx.store, ctx.settings.service_name, user, dataset_id, number, request.reason
    )
    return ErasureReport.of(erasure, [])


@router.get(
    "/{dataset_id}/erasure", summary="The latest erasure of the dataset: what each service erased, who is pending"
)
async def latest_erasure(dataset_id: UUID, session: SessionDep, user: CurrentUser) -> ErasureReport:
    erasure, acks = (await service.erasures_of(session, user, dataset_id))[0]
    return ErasureReport.of(erasure, acks)


@router.get("/{dataset_id}/erasures", summary="Every erasure of the dataset (or of its versions), newest first")
async def erasures(dataset_id: UUID, session: SessionDep, user: CurrentUser) -> list[ErasureReport]:
    return [ErasureReport.of(e, acks) for e, acks in await service.erasures_of(session, user, dataset_id)]
