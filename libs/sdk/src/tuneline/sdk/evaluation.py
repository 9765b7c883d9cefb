"""Client of the evaluation service (/evaluations): base-vs-tuned results, the release gate, reports, reviews."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from tuneline.sdk._base import Model, Resource


class Evaluation(Model):
    id: UUID
    usecase_id: UUID
    job_id: UUID
    dataset_version_id: UUID | None = None
    task_type: str = ""
    base_model: str = ""
    method: str = ""
    status: str = ""
    passed: bool | None = None
    reasons: list[str] = []
    metrics_base: dict[str, float] = {}
    metrics_tuned: dict[str, float] = {}
    forgetting: dict[str, float] = {}
    quality_score: float | None = None
    review_required: bool = False
    error: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed")

    @property
    def compute_seconds(self) -> float | None:
        """How long the run itself took (queue wait excluded)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


REPORT_FORMATS = ("html", "json", "pdf", "xlsx")


def report_format_of(path: Path) -> str:
    """The report format a file name asks for by its suffix."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in REPORT_FORMATS:
        raise ValueError(
            f"cannot tell the report format from {path.name!r}: name a .html, .json, .pdf or .xlsx file, "
            "or give the format"
        )
    return suffix


class EvaluationClient(Resource):
    def list_evaluations(
        self,
        *,
        usecase_id: UUID | str | None = None,
        status: str | None = None,
        job_id: UUID | str | None = None,
        limit: int | None = 200,
    ) -> list[Evaluation]:
        """Newest first; `job_id` is filtered here (the service filters by use case and status)."""
        params = {"usecase_id": str(usecase_id) if usecase_id else None, "status": status}
        found = self._offset_pages(Evaluation, "/evaluations", params, page_size=100, limit=limit)
        return [e for e in found if job_id is None or str(e.job_id) == str(job_id)]

    def get(self, evaluation_id: UUID | str) -> Evaluation:
        return self._get(Evaluation, f"/evaluations/{evaluation_id}")

    def report(self, evaluation_id: UUID | str, fmt: str = "html") -> bytes:
        """The evaluation report as bytes: ``html`` (self-contained page), ``json``, ``pdf`` or ``xlsx`` (Excel)."""
        if fmt not in REPORT_FORMATS:
            raise ValueError(f"report format must be one of {', '.join(REPORT_FORMATS)}, got {fmt!r}")
        response = self.http.raw("GET", f"/evaluations/{evaluation_id}/report", params={"format": fmt})
        return response.content

    def save_report(self, evaluation_id: UUID | str, path: str | Path, fmt: str | None = None) -> Path:
        """Download the report into ``path``; the format defaults to the path's suffix (.html, .json, .pdf, .xlsx).

        The bytes go to a temporary file beside ``path`` that is renamed once complete: a refused or broken
        download leaves no half-written report behind (and an existing file untouched)."""
        target = Path(path)
        fmt = fmt or report_format_of(target)
        body = self.report(evaluation_id, fmt)
        partial = target.with_name(f".{target.name}.partial")
        try:
            partial.write_bytes(body)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    def for_job(
        self, job_id: UUID | str, *, usecase_id: UUID | str | None = None, timeout_s: float = 900.0, poll_s: float = 2.0
    ) -> Evaluation:
        """Wait until the evaluation of a training job is finished."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.list_evaluations(usecase_id=usecase_id, job_id=job_id)
            if found and found[0].finished:
                return found[0]
            if time.monotonic() > deadline:
                state = found[0].status if found else "not started"
                raise TimeoutError(f"evaluation of job {job_id} is {state} after {timeout_s:.0f}s")
            time.sleep(poll_s)

    def review_items(self, evaluation_id: UUID | str) -> list[dict[str, Any]]:
        """Blind pairs for a human reviewer (which side is the tuned model is not disclosed)."""
        answer: list[dict[str, Any]] = self.http.request("GET", f"/evaluations/{evaluation_id}/review/items")
        return answer

    def rate(self, evaluation_id: UUID | str, **rating: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("POST", f"/evaluations/{evaluation_id}/review/ratings", json=rating)
        return answer

    def review(self, evaluation_id: UUID | str) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("GET", f"/evaluations/{evaluation_id}/review")
        return answer
