"""REST routes: parse, authorise, call the service, shape the answer."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tuneline.common.app import SessionDep, StoreDep
from tuneline.common.auth import CurrentUser, Principal, Role, require_roles
from tuneline.common.errors import NotFound
from tuneline.evaluation.evaluations import service
from tuneline.evaluation.evaluations.schemas import EvaluationOut, RatingIn, RatingOut, ReviewItemOut, ReviewOut
from tuneline.evaluation.reports.html_report import render_html
from tuneline.evaluation.reports.json_report import to_plain

router = APIRouter(prefix="/evaluations", tags=["evaluations"])
Reviewer = Annotated[Principal, Depends(require_roles(Role.REVIEWER))]


@router.get("", response_model=list[EvaluationOut], summary="List evaluations, newest first")
async def list_evaluations(
    session: SessionDep,
    _user: CurrentUser,
    usecase_id: UUID | None = None,
    status: Literal["queued", "running", "completed", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[EvaluationOut]:
    runs = await service.list_runs(session, usecase_id, status, limit, offset)
    return [EvaluationOut.model_validate(r) for r in runs]


@router.get("/{evaluation_id}", response_model=EvaluationOut, summary="One evaluation with its decision")
async def get_evaluation(evaluation_id: UUID, session: SessionDep, _user: CurrentUser) -> EvaluationOut:
    return EvaluationOut.model_validate(await service.get_run(session, evaluation_id))


@router.get(
    "/{evaluation_id}/report",
    summary="Download the report (JSON, or self-contained HTML with the current review aggregates)",
    response_class=Response,
)
async def download_report(
    evaluation_id: UUID,
    session: SessionDep,
    store: StoreDep,
    _user: CurrentUser,
    format: Literal["json", "html"] = "json",
) -> Response:
    run = await service.get_run(session, evaluation_id)
    if run.report_key is None:
        raise NotFound(f"evaluation {evaluation_id} has no report (status {run.status})")
    report = json.loads(await store.read_bytes(run.report_key))
    # Ratings arrive after the report was written: both formats carry the review as it stands now.
    summary = await service.review_summary(session, evaluation_id)
    report["review"] = to_plain(summary.aggregates) if summary.aggregates.items_rated else None
    if format == "json":
        return JSONResponse(report, headers=_attachment(evaluation_id, "json"))
    return HTMLResponse(render_html(report), headers=_attachment(evaluation_id, "html"))


def _attachment(evaluation_id: UUID, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="evaluation-{evaluation_id}.{extension}"'}


@router.get(
    "/{evaluation_id}/review/items",
    response_model=list[ReviewItemOut],
    summary="The blind side-by-side sample to review (reviewer or admin)",
)
async def review_items(evaluation_id: UUID, session: SessionDep, _user: Reviewer) -> list[ReviewItemOut]:
    items = await service.review_items(session, evaluation_id)
    return [
        ReviewItemOut(
            item_id=i.item_id, prompt=i.prompt, reference=i.reference, output_a=i.output_a, output_b=i.output_b
        )
        for i in items
    ]


@router.post(
    "/{evaluation_id}/review/ratings",
    response_model=RatingOut,
    status_code=201,
    summary="Rate one output of one review item (reviewer or admin); rating again replaces it",
)
async def submit_rating(evaluation_id: UUID, body: RatingIn, session: SessionDep, user: Reviewer) -> RatingOut:
    row = await service.submit_rating(session, evaluation_id, user, body.model_dump())
    return RatingOut.model_validate(row)


@router.get("/{evaluation_id}/review", response_model=ReviewOut, summary="Review aggregates, agreement and status")
async def review(evaluation_id: UUID, session: SessionDep, _user: CurrentUser) -> ReviewOut:
    summary = await service.review_summary(session, evaluation_id)
    return ReviewOut(
        required=summary.required,
        required_reasons=summary.required_reasons,
        complete=summary.status.complete,
        passed=summary.status.passed,
        status_reasons=summary.status.reasons,
        aggregates=dataclasses.asdict(summary.aggregates),
    )
