"""Erasing datasets and versions on real PostgreSQL, Kafka (Tansu) and object storage: what goes, the tombstone,
dataset.erased, and the report the other services' erasure.applied fill in."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
import sqlalchemy as sa

from tuneline.common.db import InboxRecord
from tuneline.common.events import ERASURE_APPLIED, USECASE_ERASED, ErasureApplied, UseCaseErased
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import TEST_TEAM, eventually
from tuneline.data.datasets.tables import Dataset, DatasetVersion, Upload
from tuneline.data.erasure.service import derived_closure
from tuneline.data.erasure.tables import DatasetErasure
from tuneline.data.usecases.tables import DataUseCase

pytestmark = pytest.mark.integration

PLANTED = "Erika Mustermann from Linz reported the leak"


def tickets(per_label: int = 30, planted: str = PLANTED) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    for i in range(per_label):
        writer.writerow([f"{planted} at cylinder {i}, ticket {1000 + i} on station {i % 7}", "hydraulic"])
        writer.writerow([f"breaker tripped on motor {i}, ticket {2000 + i} on line {i % 5}", "electrical"])
    return out.getvalue().encode()


async def _erase(svc, path: str, reason: str | None = "GDPR art. 17 request #42", **auth):  # type: ignore[no-untyped-def]
    headers = svc.auth(*(auth.pop("roles", None) or ("data_owner",)), **auth)
    body = {"reason": reason} if reason is not None else {}
    return await svc.client.request("DELETE", path, json=body, headers=headers)


async def _objects(svc) -> list[str]:  # type: ignore[no-untyped-def]
    return [info.key for info in await svc.state.store.list("")]


async def test_erasing_a_dataset_removes_versions_uploads_and_objects_and_leaves_a_tombstone(data_service) -> None:
    async with data_service() as svc:
        usecase_id = await svc.approve(labels=["hydraulic", "electrical"])
        dataset_id = await svc.create_dataset(usecase_id)
        assert (await svc.upload(dataset_id, "tickets.csv", tickets())).status_code == 201
        owner = svc.auth("data_owner")
        assert (await svc.client.post(f"/datasets/{dataset_id}/versions/1/dedup", headers=owner)).status_code == 201
        assert any(key.startswith(f"datasets/{dataset_id}/") for key in await _objects(svc))

        assert (await _erase(svc, f"/datasets/{dataset_id}", reason=None)).status_code == 422  # a reason is required
        intruder = await _erase(svc, f"/datasets/{dataset_id}", subject="ivan", team="other-team")
        assert intruder.status_code == 403
        viewer = await _erase(svc, f"/datasets/{dataset_id}", roles=("ml_engineer",))
        assert viewer.status_code == 403

        r = await _erase(svc, f"/datasets/{dataset_id}")
        assert r.status_code == 202, r.text
        report = r.json()
        assert report["scope"] == "dataset" and report["version_numbers"] == [1, 2]
        assert report["requested_by"] == "alice" and report["reason"] == "GDPR art. 17 request #42"
        assert report["services"]["data"]["status"] == "applied"
        assert report["services"]["data"]["counts"]["versions"] == 2
        assert sorted(report["pending"]) == ["evaluation", "monitoring", "registry", "training"]

        assert not [k for k in await _objects(svc) if k.startswith(f"datasets/{dataset_id}/")]
        async with svc.state.sessions() as session:
            assert await session.get(Dataset, uuid.UUID(dataset_id)) is None
            left = sa.select(DatasetVersion).where(DatasetVersion.dataset_id == uuid.UUID(dataset_id))
            assert (await session.execute(left)).first() is None
            uploads = sa.select(Upload).where(Upload.dataset_id == uuid.UUID(dataset_id))
            assert (await session.execute(uploads)).first() is None
        [event] = await svc.outbox("dataset.erased", dataset_id)
        assert event["whole_dataset"] and len(event["version_ids"]) == 2 and event["erasure_id"] == report["id"]
        assert "dataset.erased" in await svc.audit_actions(dataset_id)

        assert (await svc.client.get(f"/datasets/{dataset_id}", headers=owner)).status_code == 404
        again = await _erase(svc, f"/datasets/{dataset_id}")
        assert again.status_code == 404 and "erasure" in again.json()["detail"]
        got = await svc.client.get(f"/datasets/{dataset_id}/erasure", headers=owner)
        assert got.status_code == 200 and got.json()["id"] == report["id"]
        other = svc.auth("data_owner", subject="ivan", team="other-team")
        assert (await svc.client.get(f"/datasets/{dataset_id}/erasure", headers=other)).status_code == 403


async def test_erasing_a_version_takes_what_derives_from_it_and_keeps_the_rest(data_service) -> None:
    async with data_service() as svc:
        usecase_id = await svc.approve(labels=["hydraulic", "electrical"])
        dataset_id = await svc.create_dataset(usecase_id)
        owner = svc.auth("data_owner")
        assert (await svc.upload(dataset_id, "a.csv", tickets())).status_code == 201  # v1
        assert (await svc.upload(dataset_id, "b.csv", tickets(planted="Someone else"))).status_code == 201  # v2
        assert (await svc.client.post(f"/datasets/{dataset_id}/versions/1/dedup", headers=owner)).status_code == 201
        r = await svc.client.post(f"/datasets/{dataset_id}/rollback", json={"to_version": 1}, headers=owner)
        assert r.status_code == 201  # v4 restores v1's content

        r = await _erase(svc, f"/datasets/{dataset_id}/versions/1")
        assert r.status_code == 202, r.text
        assert r.json()["scope"] == "versions" and r.json()["version_numbers"] == [1, 3, 4]
        versions = (await svc.client.get(f"/datasets/{dataset_id}/versions", headers=owner)).json()
        assert [v["number"] for v in versions] == [2]
        dataset = (await svc.client.get(f"/datasets/{dataset_id}", headers=owner)).json()
        assert dataset["latest_version_id"] == versions[0]["id"]
        keys = await _objects(svc)
        assert f"datasets/{dataset_id}/content/{versions[0]['content_hash']}.jsonl" in keys
        for key in keys:
            if key.startswith(f"datasets/{dataset_id}/"):
                assert PLANTED.encode() not in await svc.state.store.read_bytes(key), key
        assert not [k for k in keys if k.startswith(f"datasets/{dataset_id}/versions/1/")]


async def test_acknowledgements_fill_the_report_once_each(data_service) -> None:
    async with data_service() as svc:
        usecase_id = await svc.approve(labels=["hydraulic", "electrical"])
        dataset_id = await svc.create_dataset(usecase_id)
        assert (await svc.upload(dataset_id, "a.csv", tickets())).status_code == 201
        report = (await _erase(svc, f"/datasets/{dataset_id}")).json()
        ack = ErasureApplied(
            producer="training",
            usecase_id=usecase_id,
            erasure_id=uuid.UUID(report["id"]),
            dataset_id=uuid.UUID(dataset_id),
            version_ids=[uuid.UUID(v) for v in report["version_ids"]],
            service="training",
            counts={"jobs": 2, "objects": 5},
        )
        await publish_now(svc.state.broker, ERASURE_APPLIED, ack)
        await publish_now(svc.state.broker, ERASURE_APPLIED, ack)  # redelivery
        second = ack.model_copy(update={"event_id": uuid.uuid4(), "counts": {"jobs": 99}})
        await publish_now(svc.state.broker, ERASURE_APPLIED, second)  # a second ack of the same service

        async def applied() -> dict | None:  # type: ignore[type-arg]
            got = (await svc.client.get(f"/datasets/{dataset_id}/erasure", headers=svc.auth("sre"))).json()
            return got if got["services"]["training"]["status"] == "applied" else None

        got = await eventually(applied, timeout_s=30, what="training's acknowledgement")
        assert got["services"]["training"]["counts"] == {"jobs": 2, "objects": 5}
        assert "training" not in got["pending"] and not got["complete"]


async def test_an_erased_use_case_has_every_dataset_erased_once_and_takes_no_new_one(data_service) -> None:
    """usecase.erased (from intake), delivered twice and then once more under a new id: each dataset of the use case
    is erased once (tombstone, dataset.erased, objects gone), another use case's dataset stays, and a new dataset
    for the erased use case is refused."""
    async with data_service() as svc:
        usecase_id = await svc.approve(labels=["hydraulic", "electrical"])
        mine = [await svc.create_dataset(usecase_id) for _ in range(2)]
        for dataset_id in mine:
            assert (await svc.upload(dataset_id, "tickets.csv", tickets())).status_code == 201
        other_usecase = await svc.approve(labels=["hydraulic", "electrical"])
        other = await svc.create_dataset(other_usecase)
        assert (await svc.upload(other, "tickets.csv", tickets())).status_code == 201

        event = UseCaseErased(
            producer="intake", usecase_id=usecase_id, reason="GDPR art. 17 request #7", erased_by="ed", team=TEST_TEAM
        )
        await publish_now(svc.state.broker, USECASE_ERASED, event)
        await publish_now(svc.state.broker, USECASE_ERASED, event)  # redelivery

        async def tombstones() -> list[DatasetErasure]:
            async with svc.state.sessions() as session:
                stmt = sa.select(DatasetErasure).where(DatasetErasure.usecase_id == usecase_id)
                rows = list((await session.execute(stmt)).scalars().all())
            return rows if len(rows) >= len(mine) else []

        rows = await eventually(tombstones, timeout_s=30, what="the use case's datasets erased")
        again = event.model_copy(update={"event_id": uuid.uuid4()})  # a second erasure finds nothing left
        await publish_now(svc.state.broker, USECASE_ERASED, again)

        async def handled() -> bool:
            async with svc.state.sessions() as session:
                return await session.get(InboxRecord, ("data-erasure", again.event_id)) is not None

        await eventually(handled, timeout_s=30, what="the second usecase.erased handled")

        rows = await tombstones()
        assert sorted(str(r.dataset_id) for r in rows) == sorted(mine)
        assert {(r.requested_by, r.whole_dataset) for r in rows} == {("ed", True)}
        assert all("GDPR art. 17 request #7" in r.reason for r in rows)
        for dataset_id in mine:
            (published,) = await svc.outbox("dataset.erased", dataset_id)
            assert published["usecase_id"] == str(usecase_id) and published["requested_by"] == "ed"
            assert not [k for k in await _objects(svc) if k.startswith(f"datasets/{dataset_id}/")]
            async with svc.state.sessions() as session:
                assert await session.get(Dataset, uuid.UUID(dataset_id)) is None
                versions = sa.select(DatasetVersion).where(DatasetVersion.dataset_id == uuid.UUID(dataset_id))
                assert (await session.execute(versions)).first() is None
        owner = svc.auth("data_owner")
        assert (await svc.client.get(f"/datasets/{other}", headers=owner)).status_code == 200
        assert await svc.outbox("dataset.erased", other) == []

        async with svc.state.sessions() as session:
            usecase = await session.get(DataUseCase, usecase_id)
        assert usecase is not None and usecase.erased_at is not None and usecase.title == "(erased)"
        r = await svc.client.post("/datasets", json={"usecase_id": str(usecase_id), "name": "again"}, headers=owner)
        assert r.status_code == 409 and "erased" in r.json()["detail"], r.text


def _version(number: int, operation: str, parent: DatasetVersion | None = None, **details: int) -> DatasetVersion:
    return DatasetVersion(
        dataset_id=uuid.uuid4(),
        number=number,
        parent_id=parent.id if parent else None,
        operation=operation,
        operation_details=details,
        status="ready",
        record_format="text",
        record_count=1,
        content_hash=str(number),
        records_key=str(number),
        quality_score=90,
        created_by="alice",
    )


def test_derived_versions_follow_content_not_upload_order() -> None:
    v1 = _version(1, "upload")
    v2 = _version(2, "upload", v1)  # a second upload's parent is the previous version, its content is its own
    v3 = _version(3, "redact", v2)
    v4 = _version(4, "label", v3)
    v5 = _version(5, "rollback", v4, to_version=2)
    v6 = _version(6, "split", v1)
    versions = [v1, v2, v3, v4, v5, v6]
    assert [v.number for v in derived_closure(versions, v2)] == [2, 3, 4, 5]
    assert [v.number for v in derived_closure(versions, v1)] == [1, 6]
    assert [v.number for v in derived_closure(versions, v4)] == [4]
