"""Client of the data service (/datasets): datasets, resumable uploads with progress, versions and reports."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from tuneline.sdk._base import Model, Resource, parse, parse_list

#: progress(bytes_sent, total_bytes), called after every part.
Progress = Callable[[int, int], None]

DEFAULT_PART_BYTES = 4 * 1024 * 1024


class Dataset(Model):
    id: UUID
    usecase_id: UUID
    name: str
    description: str | None = None
    owner: str
    created_at: datetime
    latest_version_id: UUID | None = None
    ready_version_id: UUID | None = None


class DatasetVersion(Model):
    id: UUID
    dataset_id: UUID
    number: int
    parent_id: UUID | None = None
    operation: str
    status: str
    record_format: str
    record_count: int
    content_hash: str
    labels: list[str] = []
    prompt_template: dict[str, Any] | None = None  # the use case's PromptTemplate stored with this version
    quality_score: float
    quality_breakdown: dict[str, Any] = {}
    remaining_pii: int = 0
    pii_scanned: bool = False
    split_counts: dict[str, int] = {}
    token_stats: dict[str, Any] = {}
    rejection_reasons: list[str] = []
    created_by: str
    created_at: datetime


class Upload(Model):
    id: UUID
    dataset_id: UUID
    filename: str
    status: str
    error: str | None = None
    error_code: str | None = None
    size: int = 0
    next_part: int = 1
    version_id: UUID | None = None


class UploadResult(Model):
    upload: Upload
    version: DatasetVersion | None = None


class ServiceErasure(Model):
    status: str  # applied | pending
    applied_at: datetime | None = None
    counts: dict[str, Any] = {}


class ErasureReport(Model):
    """What an erasure removed, who asked and why, and which services have confirmed their part."""

    id: UUID
    dataset_id: UUID
    usecase_id: UUID
    team: str | None = None
    scope: str  # dataset | versions
    version_ids: list[UUID]
    version_numbers: list[int]
    reason: str
    requested_by: str
    requested_at: datetime
    services: dict[str, ServiceErasure]
    pending: list[str]
    complete: bool


class DataClient(Resource):
    def create_dataset(self, usecase_id: UUID | str, name: str, description: str | None = None) -> Dataset:
        body = {"usecase_id": str(usecase_id), "name": name, "description": description}
        return self._post(Dataset, "/datasets", body)

    def list_datasets(self, usecase_id: UUID | str | None = None, *, limit: int | None = None) -> list[Dataset]:
        params = {"usecase_id": str(usecase_id) if usecase_id else None}
        return list(self._offset_pages(Dataset, "/datasets", params, page_size=100, limit=limit))

    def get_dataset(self, dataset_id: UUID | str) -> Dataset:
        return self._get(Dataset, f"/datasets/{dataset_id}")

    def upload(
        self,
        dataset_id: UUID | str,
        source: Path | str | bytes | BinaryIO,
        *,
        filename: str | None = None,
        mode: str | None = None,
        mapping: dict[str, str] | None = None,
        split: str | None = None,
        seed: int | None = None,
        stratified: bool = True,
        part_bytes: int = DEFAULT_PART_BYTES,
        progress: Progress | None = None,
        wait_s: float = 600.0,
    ) -> UploadResult:
        """Upload a file as a new version in parts (resumable), then wait until it is processed.

        Large uploads are processed in the background by the service: this polls until the version exists or the
        upload failed (an ApiError-free answer whose `upload.status` is 'failed' and `upload.error` says why).
        """
        name, total, chunks = _source_parts(source, filename, part_bytes)
        start = {"filename": name, "mode": mode, "mapping": mapping or {}, "split": split, "seed": seed}
        upload = self._post(Upload, f"/datasets/{dataset_id}/uploads", {**start, "stratified": stratified})
        sent = 0
        for number, chunk in enumerate(chunks, start=1):
            self.http.request(
                "PUT",
                f"/datasets/{dataset_id}/uploads/{upload.id}/parts/{number}",
                content=chunk,
                headers={"Content-Type": "application/octet-stream"},
            )
            sent += len(chunk)
            if progress is not None:
                progress(sent, total)
        body = self.http.request("POST", f"/datasets/{dataset_id}/uploads/{upload.id}/complete", retry=False)
        result = parse(UploadResult, body)
        return self._await_version(dataset_id, result, wait_s)

    def _await_version(self, dataset_id: UUID | str, result: UploadResult, wait_s: float) -> UploadResult:
        deadline = time.monotonic() + wait_s
        while result.version is None and result.upload.status in ("queued", "processing", "receiving"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"upload {result.upload.id} still {result.upload.status} after {wait_s:.0f}s")
            time.sleep(0.5)
            upload = self._get(Upload, f"/datasets/{dataset_id}/uploads/{result.upload.id}")
            version = None
            if upload.version_id is not None:
                version = next(v for v in self.versions(dataset_id) if v.id == upload.version_id)
            result = UploadResult(upload=upload, version=version)
        return result

    def versions(self, dataset_id: UUID | str) -> list[DatasetVersion]:
        return parse_list(DatasetVersion, self.http.request("GET", f"/datasets/{dataset_id}/versions"))

    def version(self, dataset_id: UUID | str, number: int) -> DatasetVersion:
        return self._get(DatasetVersion, f"/datasets/{dataset_id}/versions/{number}")

    def report(self, dataset_id: UUID | str, number: int) -> dict[str, Any]:
        """The validation report and quality score of a version."""
        answer: dict[str, Any] = self.http.request("GET", f"/datasets/{dataset_id}/versions/{number}/report")
        return answer

    def pii(self, dataset_id: UUID | str, number: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("GET", f"/datasets/{dataset_id}/versions/{number}/pii")
        return answer

    def splits(self, dataset_id: UUID | str, number: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("GET", f"/datasets/{dataset_id}/versions/{number}/splits")
        return answer

    def lineage(self, dataset_id: UUID | str, number: int) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self.http.request("GET", f"/datasets/{dataset_id}/versions/{number}/lineage")
        return answer

    def preview(
        self, dataset_id: UUID | str, number: int, *, split: str | None = None, offset: int = 0, limit: int = 20
    ) -> list[dict[str, Any]]:
        params = {"split": split, "offset": offset, "limit": limit}
        page = self.http.request("GET", f"/datasets/{dataset_id}/versions/{number}/preview", params=params)
        records: list[dict[str, Any]] = page["records"]
        return records

    def redact(
        self, dataset_id: UUID | str, number: int, mode: str = "replace", entities: list[str] | None = None
    ) -> DatasetVersion:
        body = {"mode": mode, "entities": entities}
        return self._post(DatasetVersion, f"/datasets/{dataset_id}/versions/{number}/redact", body)

    def dedup(self, dataset_id: UUID | str, number: int) -> DatasetVersion:
        return self._post(DatasetVersion, f"/datasets/{dataset_id}/versions/{number}/dedup")

    def resplit(
        self, dataset_id: UUID | str, number: int, ratios: str, *, seed: int = 42, stratified: bool = True
    ) -> DatasetVersion:
        body = {"ratios": ratios, "seed": seed, "stratified": stratified}
        return self._post(DatasetVersion, f"/datasets/{dataset_id}/versions/{number}/split", body)

    def rollback(self, dataset_id: UUID | str, to_version: int) -> DatasetVersion:
        return self._post(DatasetVersion, f"/datasets/{dataset_id}/rollback", {"to_version": to_version})

    def erase(self, dataset_id: UUID | str, reason: str, *, version: int | None = None) -> ErasureReport:
        """Erase a dataset (or one version and every version derived from it) everywhere: the data service removes
        it now and the other services confirm their part; `erasure_report` shows who has. Never retried (a second
        request would find nothing left to erase)."""
        path = f"/datasets/{dataset_id}" + (f"/versions/{version}" if version is not None else "")
        return parse(ErasureReport, self.http.request("DELETE", path, json={"reason": reason}, retry=False))

    def erasure_report(self, dataset_id: UUID | str) -> ErasureReport:
        """The dataset's latest erasure: what each service erased and which have not confirmed yet."""
        return self._get(ErasureReport, f"/datasets/{dataset_id}/erasure")

    def wait_for_erasure(
        self, dataset_id: UUID | str, *, timeout_s: float = 60.0, poll_s: float = 1.0
    ) -> ErasureReport:
        """Poll the report until every service has confirmed (or the timeout; the last report is returned)."""
        deadline = time.monotonic() + timeout_s
        report = self.erasure_report(dataset_id)
        while not report.complete and time.monotonic() < deadline:
            time.sleep(poll_s)
            report = self.erasure_report(dataset_id)
        return report


def _source_parts(
    source: Path | str | bytes | BinaryIO, filename: str | None, part_bytes: int
) -> tuple[str, int, Iterator[bytes]]:
    """(file name, total size, parts) of what is uploaded; bytes and streams need an explicit file name."""
    if part_bytes < 1024:
        raise ValueError(f"part_bytes must be at least 1024, got {part_bytes}")
    if isinstance(source, bytes):
        if not filename:
            raise ValueError("filename is required when uploading bytes (it tells the service the format)")
        data = source
        return filename, len(data), (data[i : i + part_bytes] for i in range(0, max(len(data), 1), part_bytes))
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no such file to upload: {path}")
        return filename or path.name, path.stat().st_size, _file_parts(path, part_bytes)
    name = filename or Path(str(getattr(source, "name", ""))).name
    if not name:
        raise ValueError("filename is required when uploading a stream without a name")
    data = source.read()
    return name, len(data), (data[i : i + part_bytes] for i in range(0, max(len(data), 1), part_bytes))


def _file_parts(path: Path, part_bytes: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(part_bytes):
            yield chunk
