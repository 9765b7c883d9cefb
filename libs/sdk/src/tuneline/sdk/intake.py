"""Client of the intake service (/usecases): the use-case form, review workflow, portfolio and timeline."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from tuneline.sdk._base import Model, Resource, parse, parse_list


class UseCase(Model):
    id: UUID
    title: str
    industry: str | None = None
    business_unit: str | None = None
    status: str
    submitter: str
    allowed_actions: list[str] = []
    form: dict[str, Any] = {}
    missing: list[dict[str, str]] = []
    assessment: dict[str, Any] | None = None
    rice_score: float | None = None
    recommended_approach: str | None = None
    stage: str | None = None
    progress: dict[str, Any] = {}
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    created_at: datetime
    updated_at: datetime


class PortfolioItem(Model):
    id: UUID
    title: str
    industry: str | None = None
    business_unit: str | None = None
    status: str
    stage: str | None = None
    rice_score: float | None = None
    recommended_approach: str | None = None
    production_version: int | None = None
    headline_metrics: dict[str, float] = {}
    evaluation_passed: bool | None = None
    deployment_status: str | None = None
    updated_at: datetime


class TimelineEntry(Model):
    event_id: UUID
    type: str
    occurred_at: datetime
    producer: str
    actor: str | None = None
    payload: dict[str, Any] = {}


class ErasedDataset(Model):
    dataset_id: UUID
    erasure_id: UUID
    report: str  # the data service's report of it: GET /datasets/{id}/erasure (DataClient.erasure_report)


class UseCaseErasure(Model):
    """An erased use case's tombstone and the datasets erased with it (as far as intake has learnt)."""

    id: UUID
    usecase_id: UUID
    status: str = "erased"
    team: str | None = None
    status_before: str
    created_at: datetime
    reason: str
    erased_by: str
    erased_at: datetime
    erased: dict[str, int] = {}
    datasets: list[ErasedDataset] = []


def load_form(path: Path) -> dict[str, Any]:
    """Read an intake form (or the architects' JSON template) from a file, naming the file when it is not JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object with the form's fields, got {type(data).__name__}")
    return data


class IntakeClient(Resource):
    def create(self, form: dict[str, Any]) -> UseCase:
        """Create a draft from the full form or the JSON intake template."""
        return self._post(UseCase, "/usecases", form)

    def get(self, usecase_id: UUID | str) -> UseCase:
        return self._get(UseCase, f"/usecases/{usecase_id}")

    def edit(self, usecase_id: UUID | str, changes: dict[str, Any]) -> UseCase:
        return parse(UseCase, self.http.request("PATCH", f"/usecases/{usecase_id}", json=changes))

    def submit(self, usecase_id: UUID | str) -> UseCase:
        return self._post(UseCase, f"/usecases/{usecase_id}/submit")

    def start_review(self, usecase_id: UUID | str) -> UseCase:
        return self._post(UseCase, f"/usecases/{usecase_id}/start-review")

    def approve(self, usecase_id: UUID | str, reason: str | None = None, *, traceparent: str | None = None) -> UseCase:
        """Approve a use case under review (starts the review first when it is still only submitted).

        `traceparent` (W3C) makes the approval, and everything it sets off downstream, part of a trace you chose.
        """
        if self.get(usecase_id).status == "submitted":
            self.start_review(usecase_id)
        body = {"reason": reason} if reason else None
        headers = {"traceparent": traceparent} if traceparent else None
        return parse(UseCase, self.http.request("POST", f"/usecases/{usecase_id}/approve", json=body, headers=headers))

    def reject(self, usecase_id: UUID | str, reason: str) -> UseCase:
        return self._post(UseCase, f"/usecases/{usecase_id}/reject", {"reason": reason})

    def request_changes(self, usecase_id: UUID | str, reason: str) -> UseCase:
        return self._post(UseCase, f"/usecases/{usecase_id}/request-changes", {"reason": reason})

    def erase(self, usecase_id: UUID | str, reason: str) -> UseCaseErasure:
        """Erase a use case everywhere (the right to deletion): intake retires it if live, deletes what it stores about
        it and keeps a tombstone; the data service then erases every dataset of it, and the other services what
        they derived. Safe to retry: a repeated request answers with the same tombstone."""
        return parse(UseCaseErasure, self.http.request("DELETE", f"/usecases/{usecase_id}", json={"reason": reason}))

    def erasure_report(self, usecase_id: UUID | str) -> UseCaseErasure:
        """The tombstone and the datasets erased with the use case; each dataset's report (which services have
        confirmed) is `DataClient.erasure_report(dataset_id)`."""
        return self._get(UseCaseErasure, f"/usecases/{usecase_id}/erasure")

    def comment(self, usecase_id: UUID | str, body: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("POST", f"/usecases/{usecase_id}/comments", json={"body": body})
        return answer

    def portfolio(
        self,
        *,
        status: str | list[str] | None = None,
        industry: str | None = None,
        business_unit: str | None = None,
        limit: int | None = None,
        page_size: int = 100,
    ) -> list[PortfolioItem]:
        """The portfolio ranked by RICE score, every page followed (or the first `limit` items)."""
        params: dict[str, Any] = {"industry": industry, "business_unit": business_unit, "status": status}
        items = []
        for raw in self.http.paginate("/usecases", params=params, page_size=page_size):
            items.append(PortfolioItem.model_validate(raw))
            if limit is not None and len(items) >= limit:
                break
        return items

    def timeline(self, usecase_id: UUID | str) -> list[TimelineEntry]:
        return parse_list(TimelineEntry, self.http.request("GET", f"/usecases/{usecase_id}/timeline"))

    def history(self, usecase_id: UUID | str) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self.http.request("GET", f"/usecases/{usecase_id}/history")
        return answer
