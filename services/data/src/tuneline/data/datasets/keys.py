"""Object keys of everything the data service stores."""

from __future__ import annotations

from uuid import UUID


def upload_part(dataset_id: UUID, upload_id: UUID, number: int) -> str:
    return f"datasets/{dataset_id}/uploads/{upload_id}/part-{number:06d}"


def records(dataset_id: UUID, content_hash: str) -> str:
    # Content-addressed: a rollback or an identical re-upload points at the same object.
    return f"datasets/{dataset_id}/content/{content_hash}.jsonl"


def split(dataset_id: UUID, number: int, name: str) -> str:
    return f"datasets/{dataset_id}/versions/{number}/{name}.jsonl"
