"""Hostile uploads on the real infrastructure: each fails with a reason (never a 500), leaves no objects behind,
and never blocks the queue for the uploads after it."""

from __future__ import annotations

import json

import pytest

from tuneline.common.testing.helpers import eventually
from tuneline.common.text import TEXT_SANITISED

from .test_api_integration import tickets_csv

pytestmark = pytest.mark.integration

DEEP = ('{"text": "pump leak", "label": ' + "[" * 5000 + "]" * 5000 + "}\n").encode()


async def _finished(svc, dataset_id: str, upload_id: str) -> dict | None:
    url = f"/datasets/{dataset_id}/uploads/{upload_id}"
    body = (await svc.client.get(url, headers=svc.auth("data_owner"))).json()
    return body if body["status"] in ("completed", "failed") else None


async def test_a_line_nested_5000_levels_deep_is_a_record_issue_not_a_500(data_service) -> None:
    async with data_service() as svc:
        dataset_id = await svc.create_dataset(await svc.approve(labels=["hydraulic", "electrical"]))
        only_deep = await svc.upload(dataset_id, "deep.jsonl", DEEP)
        assert only_deep.status_code == 422, only_deep.text
        assert only_deep.json()["error"] == "invalid_records" and "line 1" in only_deep.json()["detail"]

        rows = [
            json.dumps({"text": f"oil leak at cylinder {i} on the night shift", "label": "hydraulic"})
            for i in range(40)
        ]
        mixed = ("\n".join(rows[:20]) + "\n").encode() + DEEP + ("\n".join(rows[20:]) + "\n").encode()
        r = await svc.upload(dataset_id, "mixed.jsonl", mixed)
        assert r.status_code == 201, r.text
        number = r.json()["version"]["number"]
        report = await svc.client.get(f"/datasets/{dataset_id}/versions/{number}/report", headers=svc.auth("viewer"))
        errors = report.json()["format"]["errors"]
        assert any(e["code"] == "too_deep" and e["location"] == "line 21" for e in errors), errors
        leftovers = [k for k in await svc.state.store.list(f"datasets/{dataset_id}/") if "/uploads/" in k.key]
        assert leftovers == []


async def test_a_deep_line_in_the_background_queue_fails_its_upload_and_the_next_one_completes(data_service) -> None:
    async with data_service(inline_processing_max_bytes=10, worker_poll_interval_s=0.1) as svc:
        dataset_id = await svc.create_dataset(await svc.approve())
        first = await svc.upload(dataset_id, "deep.jsonl", DEEP * 3)
        second = await svc.upload(dataset_id, "tickets.csv", tickets_csv())
        assert first.status_code == 202 and second.status_code == 202
        failed = await eventually(
            lambda: _finished(svc, dataset_id, first.json()["upload"]["id"]), timeout_s=60, what="deep upload"
        )
        assert failed["status"] == "failed" and failed["error_code"] == "invalid_records", failed
        done = await eventually(
            lambda: _finished(svc, dataset_id, second.json()["upload"]["id"]), timeout_s=60, what="next upload"
        )
        assert done["status"] == "completed"
        assert [k for k in await svc.state.store.list(f"datasets/{dataset_id}/") if "/uploads/" in k.key] == []


async def _raw_multipart(svc, dataset_id: str, filename: bytes, data: bytes):
    """httpx percent-encodes a NUL in a file name; a hostile client sends it raw."""
    boundary = b"hostileboundary"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + data + b"\r\n--" + boundary + b"--\r\n"
    )
    headers = {**svc.auth("data_owner"), "Content-Type": f"multipart/form-data; boundary={boundary.decode()}"}
    return await svc.client.post(f"/datasets/{dataset_id}/versions", content=body, headers=headers)


async def test_a_file_name_with_a_nul_byte_is_sanitised_not_a_500(data_service) -> None:
    async with data_service() as svc:
        dataset_id = await svc.create_dataset(await svc.approve())
        r = await _raw_multipart(svc, dataset_id, b"tick\x00ets.csv", tickets_csv())
        assert r.status_code == 201, r.text
        assert r.json()["upload"]["filename"] == "tickets.csv"
        only_nul = await _raw_multipart(svc, dataset_id, b"\x00", tickets_csv())
        assert only_nul.status_code == 422 and only_nul.json()["field"] == "filename"
        chunked = await svc.client.post(
            f"/datasets/{dataset_id}/uploads", json={"filename": "a\x00b.csv"}, headers=svc.auth("data_owner")
        )
        assert chunked.status_code == 201 and chunked.json()["filename"] == "ab.csv"


async def test_nul_and_lone_surrogates_in_records_are_stripped_and_counted(data_service) -> None:
    nul = TEXT_SANITISED.labels("data.records", "nul")
    surrogate = TEXT_SANITISED.labels("data.records", "lone_surrogate")
    before = (nul._value.get(), surrogate._value.get())
    async with data_service() as svc:
        dataset_id = await svc.create_dataset(await svc.approve(labels=["hydraulic", "electrical"]))
        lines = [
            json.dumps({"text": f"oil leak at cylinder {i} during the night shift crew round", "label": "hydraulic"})
            for i in range(30)
        ]
        lines[3] = '{"text": "oil\\u0000 leak at cylinder 3 \\ud800 on the night shift", "label": "hydrau\\u0000lic"}'
        r = await svc.upload(dataset_id, "t.jsonl", "\n".join(lines).encode())
        assert r.status_code == 201, r.text
        assert r.json()["version"]["labels"] == ["hydraulic"]
    assert (nul._value.get() - before[0], surrogate._value.get() - before[1]) == (2, 1)
