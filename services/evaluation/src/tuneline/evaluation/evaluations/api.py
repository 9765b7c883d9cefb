"""REST routes: parse, authorise, call the service, shape the answer.

Every read names the evaluation's team (tuneline.evaluation.evaluations.access): the metadata needs a known role of
the team, the report and the review items the data service's record rule as well. Refusals are 403."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.app import SessionDep, StoreDep
from tuneline.common.auth import Principal, Role, require_roles
from tuneline.common.errors import NotFound
from tuneline.evaluation.evaluations import service
from tuneline.evaluation.evaluations.schemas import EvaluationOut, RatingIn, RatingOut, ReviewItemOut, ReviewOut
from tuneline.evaluation.reports.formats import REPORT_MEDIA_TYPES, ReportFormat, render
from tuneline.evaluation.reports.json_report import to_plain

router = APIRouter(prefix="/evaluations", tags=["evaluations"])
Reviewer = Annotated[Principal, Depends(require_roles(Role.REVIEWER))]
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]


@router.get("", response_model=list[EvaluationOut], summary="List evaluations, newest first")
async def list_evaluations(
    session: SessionDep,
    user: Member,
    usecase_id: UUID | None = None,
    status: Literal["queued", "running", "completed", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[EvaluationOut]:
    runs = await service.list_runs(session, user, usecase_id, status, limit, offset)
    return [EvaluationOut.model_validate(r) for r in runs]


@router.get("/{evaluation_id}", response_model=EvaluationOut, summary="One evaluation with its decision")
async def get_evaluation(evaluation_id: UUID, session: SessionDep, user: Member) -> EvaluationOut:
    return EvaluationOut.model_validate(await service.readable_run(session, user, evaluation_id))


@router.get(
    "/{evaluation_id}/report",
    summary="Download the report: JSON, self-contained HTML, PDF or Excel (each with the current review aggregates)",
    response_class=Response,
    responses={
        200: {
            "description": "The report as an attachment named evaluation-<id>.<format>",
            "content": {media_type: {} for media_type in REPORT_MEDIA_TYPES},
        }
    },
)
async def download_report(
    evaluation_id: UUID,
    session: SessionDep,
    store: StoreDep,
    user: Member,
    format: ReportFormat = "json",
) -> Response:
    run = await service.readable_run(session, user, evaluation_id, records=True)
    if run.report_key is None:
        raise NotFound(f"evaluation {evaluation_id} has no report (status {run.status})")
    report = json.loads(await store.read_bytes(run.report_key))
    # Ratings arrive after the report was written: every format carries the review as it stands now.
    summary = await service.review_summary(session, evaluation_id)
    report["review"] = to_plain(summary.aggregates) if summary.aggregates.items_rated else None
    # PDF and Excel layout is CPU work (tenths of a second): off the event loop.
    rendered = await asyncio.to_thread(render, report, format)
    return Response(
        rendered.body, media_type=rendered.media_type, headers=_attachment(evaluation_id, rendered.extension)
    )


def _attachment(evaluation_id: UUID, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="evaluation-{evaluation_id}.{extension}"'}


@router.get(
    "/{evaluation_id}/review/items",
    response_model=list[ReviewItemOut],
    summary="The blind side-by-side sample to review (reviewer or admin)",
)
async def review_items(evaluation_id: UUID, session: SessionDep, user: Reviewer) -> list[ReviewItemOut]:
    await service.reviewable_run(session, user, evaluation_id)
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
    await service.reviewable_run(session, user, evaluation_id)
    row = await service.submit_rating(session, evaluation_id, user, body.model_dump())
    return RatingOut.model_validate(row)


@router.get("/{evaluation_id}/review", response_model=ReviewOut, summary="Review aggregates, agreement and status")
async def review(evaluation_id: UUID, session: SessionDep, user: Member) -> ReviewOut:
    await service.readable_run(session, user, evaluation_id)
    summary = await service.review_summary(session, evaluation_id)
    return ReviewOut(
        required=summary.required,
        required_reasons=summary.required_reasons,
        complete=summary.status.complete,
        passed=summary.status.passed,
        status_reasons=summary.status.reasons,
        aggregates=dataclasses.asdict(summary.aggregates),
    )
