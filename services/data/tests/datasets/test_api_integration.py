"""The data service end to end on real PostgreSQL, Kafka (Tansu) and object storage."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pytest
import sqlalchemy as sa

from tuneline.common.events import USECASE_APPROVED, USECASE_RETIRED, UseCaseRetired
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import eventually
from tuneline.data.usecases.service import record_approval
from tuneline.data.usecases.tables import DataUseCase

from ..conftest import approval

pytestmark = pytest.mark.integration

SYMPTOMS = {
    "hydraulic": [
        "oil leak at cylinder {n}",
        "hydraulic pressure dropped on press {n}",
        "hose burst near manifold {n}",
    ],
    "electrical": ["breaker tripped on motor {n}", "contactor burnt on drive {n}", "panel lights flicker on line {n}"],
}


def tickets_csv(per_label: int = 30) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    for label, templates in SYMPTOMS.items():
        for i in range(per_label):
            text = (
                templates[i % 3].format(n=i)
                + f", ticket {1000 + i} reported by the night shift crew on station {i % 7}"
            )
            writer.writerow([text, label])
    return out.getvalue().encode()


async def test_usecase_approved_event_is_recorded_once(data_service) -> None:
    async with data_service() as svc:
        event = approval(labels=["hydraulic", "electrical"])
        await publish_now(svc.state.broker, USECASE_APPROVED, event)
        await publish_now(svc.state.broker, USECASE_APPROVED, event)  # redelivery

        async def recorded() -> DataUseCase | None:
            async with svc.state.sessions() as session:
                return await session.get(DataUseCase, event.usecase_id)

        usecase = await eventually(recorded, timeout_s=30, what="use case recorded")
        assert usecase.task_type == "classification" and usecase.labels == ["hydraulic", "electrical"]
        actions = await eventually(lambda: svc.audit_actions(str(event.usecase_id)), what="audit")
        assert actions.count("usecase.recorded") == 1


async def test_a_data_owner_of_another_team_cannot_add_data_to_a_use_case(data_service) -> None:
    """The attack: a data owner (or a fine-tuning key acting as one) names another team's approved use case and
    uploads into it. Creating the dataset is refused (403) and audited; so is uploading into that team's datasets."""
    async with data_service() as svc:
        usecase_id = await svc.approve()
        intruder = svc.auth("data_owner", subject="ivan", team="other-team")
        r = await svc.client.post("/datasets", json={"usecase_id": str(usecase_id), "name": "x"}, headers=intruder)
        assert r.status_code == 403
        assert f"may not add data to usecase {usecase_id}" in r.json()["detail"]
        assert "belongs to team 'test-team'" in r.json()["detail"]
        roleless = svc.auth(subject="nora")
        r = await svc.client.post("/datasets", json={"usecase_id": str(usecase_id), "name": "x"}, headers=roleless)
        assert r.status_code == 403

        dataset_id = await svc.create_dataset(usecase_id)  # the team's own data owner may
        got = (await svc.client.get(f"/datasets/{dataset_id}", headers=svc.auth("data_owner"))).json()
        assert got["team"] == "test-team"  # the dataset belongs to the use case's team
        r = await svc.client.post(
            f"/datasets/{dataset_id}/versions", files={"file": ("t.csv", tickets_csv(5))}, headers=intruder
        )
        assert r.status_code == 403
        admin = svc.auth("admin", subject="ada", team="platform")
        r = await svc.client.post("/datasets", json={"usecase_id": str(usecase_id), "name": "y"}, headers=admin)
        assert r.status_code == 201

        # the intruder's refusal names the use case; the roleless one was refused at the route (audited there)
        assert (await svc.audit_actions(str(usecase_id))).count("access.denied") == 1
        assert (await svc.audit_actions("/datasets")).count("access.denied") == 1


async def test_a_use_case_approved_before_teams_takes_data_from_its_creator_or_an_admin_only(data_service) -> None:
    async with data_service() as svc:
        event = approval().model_copy(update={"team": None, "submitted_by": "alice"})
        async with svc.state.sessions() as session, session.begin():
            await record_approval(session, event)
        body = {"usecase_id": str(event.usecase_id), "name": "x"}
        other = svc.auth("data_owner", subject="bob")
        assert (await svc.client.post("/datasets", json=body, headers=other)).status_code == 403
        assert (await svc.client.post("/datasets", json=body, headers=svc.auth("data_owner"))).status_code == 201


async def test_dataset_needs_an_approved_usecase(data_service) -> None:
    async with data_service() as svc:
        r = await svc.client.post(
            "/datasets",
            json={"usecase_id": "00000000-0000-0000-0000-000000000001", "name": "x"},
            headers=svc.auth("data_owner"),
        )
        assert r.status_code == 404 and r.json()["field"] == "usecase_id"


async def test_csv_upload_becomes_a_ready_version_with_splits_and_event(data_service) -> None:
    async with data_service() as svc:
        usecase_id = await svc.approve(labels=["hydraulic", "electrical"])
        dataset_id = await svc.create_dataset(usecase_id)
        r = await svc.upload(dataset_id, "tickets.csv", tickets_csv(), split="80/10/10", seed="7")
        assert r.status_code == 201, r.text
        version = r.json()["version"]
        assert version["status"] == "ready", version["rejection_reasons"]
        assert version["record_format"] == "classification" and version["record_count"] == 60
        assert version["split_counts"] == {"train": 48, "validation": 6, "test": 6}
        assert version["labels"] == ["electrical", "hydraulic"]

        [event] = await svc.outbox("dataset.ready", dataset_id)
        assert event["version_number"] == 1 and event["record_counts"] == version["split_counts"]
        assert event["content_hash"] == version["content_hash"]
        train_key = svc.state.store.key_from_uri(event["split_uris"]["train"])
        train = [json.loads(line) for line in (await svc.state.store.read_bytes(train_key)).splitlines()]
        assert len(train) == 48 and set(train[0]) == {"text", "label"}

        report = (
            await svc.client.get(f"/datasets/{dataset_id}/versions/1/report", headers=svc.auth("ml_engineer"))
        ).json()
        assert report["balance"]["counts"] == {"electrical": 30, "hydraulic": 30}
        preview = await svc.client.get(
            f"/datasets/{dataset_id}/versions/1/preview?limit=2", headers=svc.auth("data_owner")
        )
        assert preview.status_code == 200 and len(preview.json()["records"]) == 2
        actions = await svc.audit_actions(dataset_id)
        for action in (
            "dataset.created",
            "dataset.upload.started",
            "dataset.version.upload",
            "dataset.ready",
            "dataset.previewed",
        ):
            assert action in actions


async def test_a_retired_use_case_takes_no_new_dataset_upload_or_derived_version(data_service) -> None:
    """usecase.retired closes the use case here: creating a dataset, uploading and deriving a version are refused
    (409 naming the retirement) and what exists stays readable; a late re-approval does not reopen it."""
    async with data_service() as svc:
        usecase_id = await svc.approve(labels=["hydraulic", "electrical"])
        dataset_id = await svc.create_dataset(usecase_id)
        assert (await svc.upload(dataset_id, "tickets.csv", tickets_csv(), split="80/20")).status_code == 201
        retired = UseCaseRetired(producer="intake", usecase_id=usecase_id, reason="replaced by RAG", retired_by="ada")
        await publish_now(svc.state.broker, USECASE_RETIRED, retired)

        async def closed() -> bool:
            r = await svc.client.post(
                "/datasets", json={"usecase_id": str(usecase_id), "name": "more"}, headers=svc.auth("data_owner")
            )
            return r.status_code == 409 and "retired" in r.json()["detail"] and "replaced by RAG" in r.json()["detail"]

        await eventually(closed, what="the retirement reached the data service")
        r = await svc.upload(dataset_id, "more.csv", tickets_csv())
        assert r.status_code == 409 and "takes no new datasets or data" in r.json()["detail"], r.text
        r = await svc.client.post(f"/datasets/{dataset_id}/versions/1/dedup", headers=svc.auth("data_owner"))
        assert r.status_code == 409, r.text
        r = await svc.client.get(f"/datasets/{dataset_id}/versions/1", headers=svc.auth("data_owner"))
        assert r.status_code == 200 and r.json()["status"] == "ready"

        await publish_now(svc.state.broker, USECASE_RETIRED, retired)  # redelivery changes nothing
        late = approval(labels=["hydraulic"]).model_copy(update={"usecase_id": usecase_id})
        await publish_now(svc.state.broker, USECASE_APPROVED, late)
        await asyncio.sleep(1)
        assert await closed(), "a late approval does not reopen a retired use case"
        assert "usecase.retired" in await svc.audit_actions(str(usecase_id))


async def test_bad_files_are_rejected_naming_the_problem_and_nothing_is_stored(data_service) -> None:
    async with data_service() as svc:
        usecase_id = await svc.approve()
        dataset_id = await svc.create_dataset(usecase_id)
        garbage = await svc.upload(dataset_id, "data.jsonl", bytes(range(256)) * 8)
        assert garbage.status_code == 422 and garbage.json()["error"] == "binary_content"
        broken = await svc.upload(
            dataset_id, "data.json", b'[\n{"text": "a", "label": "x"},\n{"text": "b" "label": 1}\n]'
        )
        assert broken.status_code == 422 and "line 3" in broken.json()["detail"]
        empty = await svc.upload(dataset_id, "data.csv", b"")
        assert empty.status_code == 422 and empty.json()["error"] == "empty_file"
        bad_name = await svc.upload(dataset_id, "tool.exe", b"MZ")
        assert bad_name.status_code == 422 and bad_name.json()["field"] == "filename"

        versions = await svc.client.get(f"/datasets/{dataset_id}/versions", headers=svc.auth("data_owner"))
        assert versions.json() == []
        assert await svc.state.store.list(f"datasets/{dataset_id}/") == []
        assert (await svc.audit_actions(dataset_id)).count("dataset.upload.failed") == 3


async def test_upload_over_the_size_limit_is_refused(data_service) -> None:
    async with data_service(max_upload_bytes=1000) as svc:
        dataset_id = await svc.create_dataset(await svc.approve())
        r = await svc.upload(dataset_id, "big.csv", tickets_csv())
        assert r.status_code == 413 and "1000 bytes" in r.json()["detail"]
        assert await svc.state.store.list(f"datasets/{dataset_id}/") == []


async def test_chunked_upload_resumes_and_replaces_parts(data_service) -> None:
    async with data_service() as svc:
        dataset_id = await svc.create_dataset(await svc.approve())
        owner = svc.auth("data_owner")
        data = tickets_csv()
        r = await svc.client.post(f"/datasets/{dataset_id}/uploads", json={"filename": "t.csv"}, headers=owner)
        upload_id = r.json()["id"]
        base = f"/datasets/{dataset_id}/uploads/{upload_id}"
        half = len(data) // 2
        await svc.client.put(f"{base}/parts/2", content=b"garbage to be replaced", headers=owner)
        missing = await svc.client.post(f"{base}/complete", headers=owner)
        assert missing.status_code == 422 and missing.json()["detail"] == "parts are missing: 1"
        await svc.client.put(f"{base}/parts/1", content=data[:half], headers=owner)
        await svc.client.put(f"{base}/parts/2", content=data[half:], headers=owner)  # resend replaces
        state = (await svc.client.get(base, headers=owner)).json()
        assert state["next_part"] == 3 and state["size"] == len(data)
        done = await svc.client.post(f"{base}/complete", headers=owner)
        assert done.status_code == 201 and done.json()["version"]["record_count"] == 60


async def test_large_upload_is_queued_and_processed_by_the_worker(data_service) -> None:
    async with data_service(inline_processing_max_bytes=100, worker_poll_interval_s=0.1) as svc:
        dataset_id = await svc.create_dataset(await svc.approve())
        r = await svc.upload(dataset_id, "tickets.csv", tickets_csv())
        assert r.status_code == 202 and r.json()["upload"]["status"] == "queued"
        upload_id = r.json()["upload"]["id"]

        async def finished() -> dict | None:
            body = (
                await svc.client.get(f"/datasets/{dataset_id}/uploads/{upload_id}", headers=svc.auth("data_owner"))
            ).json()
            return body if body["status"] in ("completed", "failed") else None

        body = await eventually(finished, timeout_s=60, what="queued upload processed")
        assert body["status"] == "completed" and body["version_id"]


async def test_redaction_policy_produces_a_redacted_ready_version(data_service) -> None:
    async with data_service() as svc:
        usecase_id = await svc.approve(
            task_type="generation", sensitivity={"pii": True}, policy={"redaction": "replace"}
        )
        dataset_id = await svc.create_dataset(usecase_id)
        lines = [
            json.dumps(
                {
                    "prompt": f"Write to customer {i} at user{i}@example.com about order {i}",
                    "completion": f"Dear customer, your order {i} shipped today and will arrive soon.",
                }
            )
            for i in range(40)
        ]
        r = await svc.upload(dataset_id, "mails.jsonl", "\n".join(lines).encode())
        assert r.status_code == 201, r.text
        final = r.json()["version"]
        assert (final["number"], final["operation"], final["status"]) == (2, "redact", "ready")
        versions = (await svc.client.get(f"/datasets/{dataset_id}/versions", headers=svc.auth("data_owner"))).json()
        assert [v["status"] for v in versions] == ["superseded", "ready"]
        pii = (await svc.client.get(f"/datasets/{dataset_id}/versions/2/pii", headers=svc.auth("viewer"))).json()
        assert pii["report"]["entities"]["EMAIL_ADDRESS"]["count"] == 40 and pii["remaining"] == 0
        assert "example.com" not in json.dumps(pii)
        redacted = await svc.client.get(
            f"/datasets/{dataset_id}/versions/2/preview?limit=1", headers=svc.auth("viewer")
        )
        assert redacted.status_code == 200
        assert "<EMAIL_ADDRESS>" in redacted.json()["records"][0]["prompt"]
        original = await svc.client.get(f"/datasets/{dataset_id}/versions/1/preview", headers=svc.auth("viewer"))
        assert original.status_code == 403


async def test_undeclared_pii_is_rejected_until_a_redacted_version(data_service) -> None:
    async with data_service() as svc:
        dataset_id = await svc.create_dataset(await svc.approve(task_type="generation"))
        lines = [
            json.dumps(
                {
                    "prompt": f"Call the technician on 415-555-{1000 + i:04d} about pump {i}",
                    "completion": f"Technician scheduled for pump {i} tomorrow morning at eight.",
                }
            )
            for i in range(30)
        ]
        r = await svc.upload(dataset_id, "calls.jsonl", "\n".join(lines).encode())
        version = r.json()["version"]
        assert version["status"] == "rejected"
        assert any("PHONE_NUMBER: 30" in reason for reason in version["rejection_reasons"])
        [rejected] = await svc.outbox("dataset.rejected", dataset_id)
        assert rejected["reasons"] == version["rejection_reasons"]

        fixed = await svc.client.post(
            f"/datasets/{dataset_id}/versions/1/redact", json={"mode": "hash"}, headers=svc.auth("data_owner")
        )
        assert fixed.status_code == 201 and fixed.json()["status"] == "ready"
        page = await svc.client.get(
            f"/datasets/{dataset_id}/versions/2/preview?limit=2", headers=svc.auth("data_owner")
        )
        first, second = (rec["prompt"] for rec in page.json()["records"])
        assert "<PHONE_NUMBER:" in first and "415-555" not in first
        assert first.split("<PHONE_NUMBER:")[1][:16] != second.split("<PHONE_NUMBER:")[1][:16]
        assert len(await svc.outbox("dataset.ready", dataset_id)) == 1


async def test_label_dedup_split_and_rollback_make_new_versions_with_lineage(data_service) -> None:
    async with data_service() as svc:
        dataset_id = await svc.create_dataset(await svc.approve(labels=["hydraulic", "electrical"]))
        owner = svc.auth("data_owner")
        paragraphs = [
            f"Oil leak at cylinder {i} on the main press line, the crew replaced the worn seal kit."
            if i % 2
            else f"Breaker number {i} tripped on the conveyor motor again, the electrician reset the drive."
            for i in range(40)
        ]
        paragraphs += paragraphs[:4]  # exact duplicates
        r = await svc.upload(dataset_id, "notes.txt", "\n\n".join(paragraphs).encode())
        v1 = r.json()["version"]
        assert v1["record_format"] == "text" and v1["status"] == "rejected"
        assert any("text records cannot train a classification" in reason for reason in v1["rejection_reasons"])

        labels = [{"index": i, "label": "hydraulic" if i % 2 else "electrical"} for i in range(44)]
        v2 = (
            await svc.client.post(f"/datasets/{dataset_id}/versions/1/labels", json={"labels": labels}, headers=owner)
        ).json()
        assert (v2["number"], v2["record_format"], v2["record_count"]) == (2, "classification", 44)

        v3 = (await svc.client.post(f"/datasets/{dataset_id}/versions/2/dedup", headers=owner)).json()
        assert v3["record_count"] == 40 and v3["status"] == "ready"

        v4 = (
            await svc.client.post(f"/datasets/{dataset_id}/versions/3/split", json={"ratios": "90/10"}, headers=owner)
        ).json()
        assert v4["split_counts"] == {"train": 36, "validation": 4}
        assert v4["content_hash"] == v3["content_hash"]

        v5 = (await svc.client.post(f"/datasets/{dataset_id}/rollback", json={"to_version": 3}, headers=owner)).json()
        assert (v5["number"], v5["operation"], v5["content_hash"]) == (5, "rollback", v3["content_hash"])
        assert v5["split_counts"] == v3["split_counts"]
        chain = (await svc.client.get(f"/datasets/{dataset_id}/versions/4/lineage", headers=owner)).json()
        assert [entry["number"] for entry in chain] == [4, 3, 2, 1]
        bad = await svc.client.post(
            f"/datasets/{dataset_id}/versions/3/labels", json={"labels": [{"index": 99, "label": "x"}]}, headers=owner
        )
        assert bad.status_code == 422 and bad.json()["field"] == "labels[0].index"


async def test_roles_and_sensitivity_limit_who_sees_what(data_service) -> None:
    async with data_service() as svc:
        usecase_id = await svc.approve(sensitivity={"regulatory": True})
        dataset_id = await svc.create_dataset(usecase_id, subject="alice")
        r = await svc.upload(dataset_id, "t.csv", tickets_csv())
        assert r.status_code == 201

        viewer = await svc.client.post(
            "/datasets", json={"usecase_id": str(usecase_id), "name": "x"}, headers=svc.auth("viewer")
        )
        assert viewer.status_code == 403
        stranger = await svc.upload(dataset_id, "t.csv", tickets_csv(), subject="mallory", team="other-team")
        assert stranger.status_code == 403
        other_owner_list = await svc.client.get(
            "/datasets", headers=svc.auth("data_owner", subject="mallory", team="other-team")
        )
        assert dataset_id not in {d["id"] for d in other_owner_list.json()}
        engineer_list = await svc.client.get(f"/datasets?usecase_id={usecase_id}", headers=svc.auth("ml_engineer"))
        assert [d["id"] for d in engineer_list.json()] == [dataset_id]
        report = await svc.client.get(f"/datasets/{dataset_id}/versions/1/report", headers=svc.auth("viewer"))
        assert report.status_code == 200
        preview = await svc.client.get(f"/datasets/{dataset_id}/versions/1/preview", headers=svc.auth("viewer"))
        assert preview.status_code == 403
        sample = await svc.client.get(
            f"/datasets/{dataset_id}/versions/1/sample?size=3&seed=1", headers=svc.auth("data_owner")
        )
        again = await svc.client.get(
            f"/datasets/{dataset_id}/versions/1/sample?size=3&seed=1", headers=svc.auth("data_owner")
        )
        assert sample.json()["records"] == again.json()["records"] and len(sample.json()["records"]) == 3
        unauthenticated = await svc.client.get(f"/datasets/{dataset_id}")
        assert unauthenticated.status_code == 401


async def test_uploads_work_against_s3_storage(data_service, s3_server) -> None:
    overrides = {
        "object_store_url": "s3://tuneline-data-test",
        "s3_endpoint": s3_server.endpoint,
        "s3_access_key": s3_server.access_key,
        "s3_secret_key": s3_server.secret_key,
        "s3_secure": False,
    }
    async with data_service(**overrides) as svc:
        dataset_id = await svc.create_dataset(await svc.approve())
        r = await svc.upload(dataset_id, "tickets.csv", tickets_csv())
        assert r.status_code == 201 and r.json()["version"]["status"] == "ready"
        [event] = await svc.outbox("dataset.ready", dataset_id)
        assert event["split_uris"]["train"].startswith("s3://tuneline-data-test/")
        key = svc.state.store.key_from_uri(event["split_uris"]["validation"])
        assert len((await svc.state.store.read_bytes(key)).splitlines()) == 6
        async with svc.state.sessions() as session:
            count = (
                await session.execute(sa.text("select count(*) from data_uploads where status='completed'"))
            ).scalar()
        assert count and count >= 1
