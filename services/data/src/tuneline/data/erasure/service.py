"""The rules of erasure: what an erasure removes, the tombstone it leaves, the event, and the report.

Erasing a dataset removes its versions, uploads and every object under its prefix; erasing a version removes it and
every version whose content derives from it (redact, dedup, label, split of it; a rollback to it), their splits and
uploaded parts, and its content object unless a version that stays holds the same content (an identical upload).
The tombstone keeps ids, who, when and why, never content. No SQL, no commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import access
from tuneline.common.auth import Principal, Role, audit
from tuneline.common.errors import Conflict, NotFound
from tuneline.common.events import DATASET_ERASED, DatasetErased, ErasureApplied, UseCaseErased
from tuneline.common.messaging import add_event
from tuneline.common.storage import ObjectStore
from tuneline.data.datasets import keys
from tuneline.data.datasets import repository as datasets
from tuneline.data.datasets.tables import Dataset, DatasetVersion, Upload
from tuneline.data.erasure import repository
from tuneline.data.erasure.tables import DatasetErasure, ErasureAcknowledgement
from tuneline.data.usecases import service as usecases

log = structlog.get_logger(__name__)

#: The services that hold something derived from a dataset version and confirm their part with erasure.applied.
CONFIRMING_SERVICES = ("training", "evaluation", "registry", "monitoring")

#: Operations whose content is made from their parent's (a rollback's comes from the version it restores).
DERIVING = frozenset({"redact", "dedup", "label", "split"})


@dataclass
class Plan:
    """What one erasure removes."""

    versions: list[DatasetVersion]
    uploads: list[Upload]
    object_keys: list[str]
    prefix: str | None = None  # a whole dataset: every object under it


def derived_closure(versions: Sequence[DatasetVersion], root: DatasetVersion) -> list[DatasetVersion]:
    """`root` and every version whose content derives from it, transitively, in version order."""
    by_number = {v.number: v for v in versions}
    erased = {root.id}
    changed = True
    while changed:
        changed = False
        for v in versions:
            if v.id in erased:
                continue
            restored = (
                by_number.get(int(v.operation_details.get("to_version", 0))) if v.operation == "rollback" else None
            )
            if (v.operation in DERIVING and v.parent_id in erased) or (restored is not None and restored.id in erased):
                erased.add(v.id)
                changed = True
    return [v for v in versions if v.id in erased]


def plan_versions(
    versions: Sequence[DatasetVersion], erased: Sequence[DatasetVersion], uploads: Sequence[Upload]
) -> Plan:
    gone = {v.id for v in erased}
    kept_content = {v.records_key for v in versions if v.id not in gone}
    object_keys = sorted(
        {key for v in erased for key in v.split_keys.values()}
        | {v.records_key for v in erased if v.records_key not in kept_content}
    )
    mine = [u for u in uploads if u.version_id in gone]
    object_keys += [keys.upload_part(u.dataset_id, u.id, int(p["number"])) for u in mine for p in u.parts]
    return Plan(versions=list(erased), uploads=mine, object_keys=object_keys)


def ensure_can_erase(user: Principal, dataset: Dataset) -> None:
    """The dataset's data owners (its team's) or an admin, the platform's rule."""
    access.ensure(
        user,
        roles=(Role.DATA_OWNER,),
        team=dataset.team,
        owner=dataset.owner,
        action="erase",
        resource_type="dataset",
        resource_id=dataset.id,
    )


async def _locked(session: AsyncSession, user: Principal, dataset_id: UUID) -> Dataset:
    dataset = await datasets.get_dataset(session, dataset_id, for_update=True)
    if dataset is None:
        raise NotFound(f"dataset {dataset_id} does not exist (or was erased: GET /datasets/{dataset_id}/erasure)")
    ensure_can_erase(user, dataset)
    return dataset


async def erase_dataset(
    session: AsyncSession, store: ObjectStore, producer: str, user: Principal, dataset_id: UUID, reason: str
) -> DatasetErasure:
    dataset = await _locked(session, user, dataset_id)
    return await _erase_whole(session, store, producer, user, dataset, reason)


async def _erase_whole(
    session: AsyncSession, store: ObjectStore, producer: str, user: Principal, dataset: Dataset, reason: str
) -> DatasetErasure:
    versions = await datasets.list_versions(session, dataset.id)
    uploads = await repository.uploads_of(session, dataset.id)
    plan = Plan(versions=versions, uploads=uploads, object_keys=[], prefix=f"datasets/{dataset.id}/")
    return await _erase(session, store, producer, user, dataset, plan, reason, whole=True)


async def erase_usecase(
    session: AsyncSession, store: ObjectStore, producer: str, event: UseCaseErased
) -> list[DatasetErasure]:
    """usecase.erased: close the use case to new data and erase every dataset of it, each as `DELETE /datasets/{id}`
    would (tombstone, dataset.erased, the other services' part), in the person's name who erased the use case. The
    caller claims the event first, so a redelivery erases nothing twice (and finds no dataset left anyway). A dataset
    with an upload being processed refuses (Conflict): the event is retried, then dead-lettered for an operator."""
    await usecases.record_erasure(session, event)
    # Intake authorised the person; this service acts for them as the platform (service accounts pass the team rule).
    actor = Principal(subject=event.erased_by, roles=frozenset({Role.SERVICE}), team=event.team)
    reason = f"use case {event.usecase_id} erased: {event.reason}"
    erased = []
    for dataset_id in await repository.dataset_ids_of_usecase(session, event.usecase_id):
        dataset = await datasets.get_dataset(session, dataset_id, for_update=True)
        if dataset is not None:
            erased.append(await _erase_whole(session, store, producer, actor, dataset, reason))
    log.info("data.usecase.erased", usecase_id=str(event.usecase_id), datasets=len(erased))
    return erased


async def erase_version(
    session: AsyncSession,
    store: ObjectStore,
    producer: str,
    user: Principal,
    dataset_id: UUID,
    number: int,
    reason: str,
) -> DatasetErasure:
    dataset = await _locked(session, user, dataset_id)
    versions = await datasets.list_versions(session, dataset_id)
    root = next((v for v in versions if v.number == number), None)
    if root is None:
        raise NotFound(f"dataset {dataset_id} has no version {number} (or it was erased)")
    uploads = await repository.uploads_of(session, dataset_id)
    plan = plan_versions(versions, derived_closure(versions, root), uploads)
    return await _erase(session, store, producer, user, dataset, plan, reason, whole=False)


async def _erase(
    session: AsyncSession,
    store: ObjectStore,
    producer: str,
    user: Principal,
    dataset: Dataset,
    plan: Plan,
    reason: str,
    *,
    whole: bool,
) -> DatasetErasure:
    busy = [u for u in plan.uploads if u.status == "processing"] if whole else []
    if busy:
        raise Conflict(f"upload {busy[0].id} of dataset {dataset.id} is being processed; erase it when it has finished")
    erasure = DatasetErasure(
        dataset_id=dataset.id,
        usecase_id=dataset.usecase_id,
        team=dataset.team,
        owner=dataset.owner,
        whole_dataset=whole,
        version_ids=[str(v.id) for v in plan.versions],
        version_numbers=[v.number for v in plan.versions],
        reason=reason,
        requested_by=user.subject,
        expected=list(CONFIRMING_SERVICES),
    )
    version_ids = [v.id for v in plan.versions]
    counts = {
        "versions": await repository.delete_versions(session, version_ids),
        "uploads": await repository.delete_uploads(session, [u.id for u in plan.uploads]),
        "datasets": 0,
    }
    if whole:
        await repository.delete_dataset(session, dataset)
        counts["datasets"] = 1
    else:
        await _repoint(session, dataset)
    # Objects go after the rows (a failure here rolls the rows back and the request can be repeated; deleting an
    # object twice is harmless) and before the commit, so the tombstone never claims an erasure that left bytes.
    counts["objects"] = await _delete_objects(store, plan)
    erasure.counts = counts
    await repository.add(session, erasure)
    await audit(
        session,
        user,
        "dataset.erased" if whole else "dataset.versions.erased",
        "dataset",
        dataset.id,
        erasure_id=str(erasure.id),
        version_ids=erasure.version_ids,
        versions=erasure.version_numbers,
    )
    await add_event(
        session,
        DATASET_ERASED,
        DatasetErased(
            producer=producer,
            usecase_id=dataset.usecase_id,
            erasure_id=erasure.id,
            dataset_id=dataset.id,
            version_ids=version_ids,
            whole_dataset=whole,
            team=dataset.team,
            requested_by=user.subject,
            reason=reason,
        ),
    )
    log.info(
        "data.dataset.erased",
        dataset_id=str(dataset.id),
        erasure_id=str(erasure.id),
        whole=whole,
        versions=len(version_ids),
        objects=counts["objects"],
    )
    return erasure


async def _repoint(session: AsyncSession, dataset: Dataset) -> None:
    """After some versions went: the latest is the newest left, the ready one the newest ready one left."""
    left = await datasets.list_versions(session, dataset.id)
    dataset.latest_version_id = left[-1].id if left else None
    ready = [v for v in left if v.status == "ready"]
    if dataset.ready_version_id not in {v.id for v in ready}:
        dataset.ready_version_id = ready[-1].id if ready else None
    await datasets.add(session, dataset)


async def _delete_objects(store: ObjectStore, plan: Plan) -> int:
    deleted = 0
    if plan.prefix is not None:
        for info in await store.list(plan.prefix):
            await store.delete(info.key)
            deleted += 1
    for key in plan.object_keys:
        if await store.exists(key):
            await store.delete(key)
            deleted += 1
    return deleted


# --------------------------------------------------------------------------------------------------------------
# acknowledgements and the report
# --------------------------------------------------------------------------------------------------------------


async def record_acknowledgement(session: AsyncSession, event: ErasureApplied) -> bool:
    """A service confirmed its part; False for a repeat or an erasure this service does not know."""
    if await repository.get(session, event.erasure_id) is None:
        log.warning("data.erasure.unknown", erasure_id=str(event.erasure_id), service=event.service)
        return False
    ack = ErasureAcknowledgement(
        erasure_id=event.erasure_id,
        service=event.service,
        counts=dict(event.counts),
        applied_at=event.occurred_at,
        event_id=event.event_id,
    )
    added = await repository.add_acknowledgement(session, ack)
    if added:
        log.info("data.erasure.acknowledged", erasure_id=str(event.erasure_id), service=event.service)
    return added


def _ensure_can_read(user: Principal, erasure: DatasetErasure) -> None:
    access.ensure(
        user,
        roles=(Role.DATA_OWNER, Role.SRE, Role.REVIEWER),
        team=erasure.team,
        owner=erasure.owner,
        action="read the erasure of",
        resource_type="dataset",
        resource_id=erasure.dataset_id,
    )


async def erasures_of(
    session: AsyncSession, user: Principal, dataset_id: UUID
) -> list[tuple[DatasetErasure, list[ErasureAcknowledgement]]]:
    """The dataset's erasures, newest first, each with its acknowledgements."""
    rows = await repository.of_dataset(session, dataset_id)
    if not rows:
        raise NotFound(f"dataset {dataset_id} has no erasure")
    _ensure_can_read(user, rows[0])
    acks = await repository.acknowledgements(session, [r.id for r in rows])
    return [(r, [a for a in acks if a.erasure_id == r.id]) for r in rows]
