"""REST routes for use cases: parse, authorise (the service checks roles), call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from tuneline.common.access import KNOWN_ROLES, scope_of
from tuneline.common.app import SessionDep, StateDep
from tuneline.common.auth import CurrentUser, Principal, require_roles
from tuneline.common.errors import InvalidInput
from tuneline.intake.qualification.rice import RiceOverrides
from tuneline.intake.usecases import repository as repo
from tuneline.intake.usecases import service
from tuneline.intake.usecases.lifecycle import Status, allowed_actions
from tuneline.intake.usecases.progress import headline
from tuneline.intake.usecases.repository import PortfolioFilter
from tuneline.intake.usecases.schemas import (
    AuditEntryOut,
    CommentIn,
    CommentOut,
    DashboardOut,
    DecisionIn,
    ErasedDatasetOut,
    EraseIn,
    FieldProblemOut,
    ModelVersionOut,
    Page,
    PortfolioItem,
    ReasonIn,
    RiceOverridesIn,
    TimelineEntryOut,
    UseCaseErasureOut,
    UseCaseOut,
)
from tuneline.intake.usecases.service import IntakeContext
from tuneline.intake.usecases.tables import UseCaseErasureRow, UseCaseRow

router = APIRouter(prefix="/usecases", tags=["usecases"])


def get_context(state: StateDep) -> IntakeContext:
    return state.context_as(IntakeContext)


ContextDep = Annotated[IntakeContext, Depends(get_context)]
#: Listings need a role Tuneline knows (which use cases they show is the team's business, `scope_of`); a token
#: with none is refused and audited like any other refusal.
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]

FORM_EXAMPLE = {
    "title": "Predictive Maintenance Alerts",
    "industry": "Manufacturing",
    "problem_statement": "Unexpected machinery downtime leads to productivity loss.",
    "data_sources": ["sensor logs", "maintenance reports"],
    "model": "LLaMA2-7B",
    "fine_tuning_type": "QLoRA",
    "evaluation_metrics": ["F1 Score", "Precision"],
    "expected_outcomes": "Reduce downtime by 25%",
}


def usecase_out(row: UseCaseRow) -> UseCaseOut:
    return UseCaseOut(
        id=row.id,
        title=row.title,
        industry=row.industry,
        business_unit=row.business_unit,
        status=row.status,
        submitter=row.submitter,
        team=row.team,
        allowed_actions=[a.value for a in allowed_actions(Status(row.status))],
        form=row.form,
        missing=[FieldProblemOut(field=p.field, message=p.message) for p in service.missing_fields(row.form)],
        assessment=row.assessment,
        rice_score=row.rice_score,
        rice_overrides=row.rice_overrides,
        recommended_approach=row.recommended_approach,
        stage=row.stage,
        progress=row.progress,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_reason=row.decision_reason,
        source_system=row.source_system,
        external_ref=row.external_ref,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def erasure_out(row: UseCaseErasureRow) -> UseCaseErasureOut:
    return UseCaseErasureOut(
        id=row.id,
        usecase_id=row.usecase_id,
        team=row.team,
        status_before=row.status_before,
        created_at=row.created_at,
        reason=row.reason,
        erased_by=row.erased_by,
        erased_at=row.erased_at,
        erased=row.counts,
        datasets=[
            ErasedDatasetOut(dataset_id=UUID(d), erasure_id=UUID(e), report=f"/datasets/{d}/erasure")
            for d, e in sorted(row.datasets.items())
        ],
    )


def portfolio_item(row: UseCaseRow) -> PortfolioItem:
    view = headline(row.progress)
    return PortfolioItem(
        id=row.id,
        title=row.title,
        industry=row.industry,
        business_unit=row.business_unit,
        status=row.status,
        stage=view["stage"],
        rice_score=row.rice_score,
        recommended_approach=row.recommended_approach,
        model_versions=[ModelVersionOut(**m) for m in view["model_versions"]],
        production_version=view["production_version"],
        headline_metrics=view["headline_metrics"],
        evaluation_passed=view["evaluation_passed"],
        deployment_status=view["deployment_status"],
        last_event_at=row.last_event_at,
        updated_at=row.updated_at,
    )


def _page_bounds(request: Request, limit: int, offset: int) -> None:
    largest = request.app.state.settings.portfolio_max_page_size
    if limit > largest:
        raise InvalidInput(f"limit: at most {largest} per page", field="limit")


Limit = Annotated[int, Query(ge=1, description="Page size.")]
Offset = Annotated[int, Query(ge=0)]
Industry = Annotated[str | None, Query()]
BusinessUnit = Annotated[str | None, Query()]
Statuses = Annotated[list[Status] | None, Query(alias="status", description="Repeat to match several.")]


@router.post("", status_code=201, summary="Create a draft from the intake form or the JSON intake template")
async def create_usecase(
    session: SessionDep,
    user: CurrentUser,
    context: ContextDep,
    payload: Annotated[dict[str, Any], Body(examples=[FORM_EXAMPLE])],
) -> UseCaseOut:
    return usecase_out(await service.create_draft(session, context, user, payload))


@router.get("", summary="Portfolio: use cases ranked by RICE score, filterable and paginated")
async def portfolio(
    request: Request,
    session: SessionDep,
    user: Member,
    industry: Industry = None,
    business_unit: BusinessUnit = None,
    status: Statuses = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PortfolioItem]:
    _page_bounds(request, limit, offset)
    filters = PortfolioFilter(industry, business_unit, tuple(s.value for s in status or ()), scope_of(user))
    rows, total = await repo.portfolio_page(session, filters, limit=limit, offset=offset)
    return Page(items=[portfolio_item(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/dashboard", summary="Active use cases with stage, model versions and headline metrics")
async def dashboard(
    request: Request,
    session: SessionDep,
    user: Member,
    industry: Industry = None,
    business_unit: BusinessUnit = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DashboardOut:
    _page_bounds(request, limit, offset)
    filters = PortfolioFilter(industry, business_unit, scope=scope_of(user))
    rows, total = await repo.active_page(session, filters, limit=limit, offset=offset)
    return DashboardOut(
        counts_by_status=await repo.count_by_status(session, filters),
        active=Page(items=[portfolio_item(r) for r in rows], total=total, limit=limit, offset=offset),
    )


@router.get("/{usecase_id}", summary="A use case with its qualification, decision, RICE score and costs")
async def get_usecase(usecase_id: UUID, session: SessionDep, user: CurrentUser) -> UseCaseOut:
    return usecase_out(await service.get(session, user, usecase_id))


@router.patch("/{usecase_id}", summary="Edit a draft (or one sent back for changes); null clears a field")
async def edit_usecase(
    usecase_id: UUID, changes: dict[str, Any], session: SessionDep, user: CurrentUser, context: ContextDep
) -> UseCaseOut:
    return usecase_out(await service.edit(session, context, user, usecase_id, changes))


@router.post("/{usecase_id}/submit", summary="Submit a complete form for review")
async def submit(usecase_id: UUID, session: SessionDep, user: CurrentUser, context: ContextDep) -> UseCaseOut:
    return usecase_out(await service.submit(session, context, user, usecase_id))


@router.post("/{usecase_id}/start-review", summary="A reviewer takes the use case up")
async def start_review(usecase_id: UUID, session: SessionDep, user: CurrentUser) -> UseCaseOut:
    return usecase_out(await service.start_review(session, user, usecase_id))


@router.post("/{usecase_id}/approve", summary="Approve: publishes usecase.approved once")
async def approve(
    usecase_id: UUID, session: SessionDep, user: CurrentUser, context: ContextDep, body: DecisionIn | None = None
) -> UseCaseOut:
    reason = body.reason if body else None
    return usecase_out(await service.approve(session, context, user, usecase_id, reason))


@router.post("/{usecase_id}/reject", summary="Reject with a reason: publishes usecase.rejected once")
async def reject(
    usecase_id: UUID, body: ReasonIn, session: SessionDep, user: CurrentUser, context: ContextDep
) -> UseCaseOut:
    return usecase_out(await service.reject(session, context, user, usecase_id, body.reason))


@router.post("/{usecase_id}/request-changes", summary="Send back to the submitter with what to change")
async def request_changes(usecase_id: UUID, body: ReasonIn, session: SessionDep, user: CurrentUser) -> UseCaseOut:
    return usecase_out(await service.request_changes(session, user, usecase_id, body.reason))


@router.post("/{usecase_id}/retire", summary="Stop an approved, in-progress or deployed use case")
async def retire(
    usecase_id: UUID, body: ReasonIn, session: SessionDep, user: CurrentUser, context: ContextDep
) -> UseCaseOut:
    return usecase_out(await service.retire(session, context, user, usecase_id, body.reason))


@router.delete(
    "/{usecase_id}",
    status_code=202,
    summary="Erase a use case and its data everywhere (the right to deletion)",
    description="Retires the use case first when it is live (usecase.retired: no new data or jobs, its models "
    "undeployed, its keys revoked), deletes what intake stores about it (form, assessment, comments, timeline), keeps "
    "a tombstone (who, when, why, ids) and publishes usecase.erased: the data service erases every dataset of it, "
    "and each dataset.erased makes the other services erase what they derived (adapters, evaluation samples, "
    "logged prompts, monitoring samples). Answers 202 with the tombstone; a repeated request answers 200 with the "
    "same tombstone and erases nothing again. Reads of an erased use case answer 404 naming the erasure; "
    "GET /usecases/{id}/erasure is the report.",
    responses={200: {"model": UseCaseErasureOut, "description": "Already erased: the existing tombstone."}},
)
async def erase(
    usecase_id: UUID, body: EraseIn, response: Response, session: SessionDep, user: CurrentUser, context: ContextDep
) -> UseCaseErasureOut:
    erasure, erased_now = await service.erase(session, context, user, usecase_id, body.reason)
    if not erased_now:
        response.status_code = 200
    return erasure_out(erasure)


@router.get(
    "/{usecase_id}/erasure",
    summary="The erasure of a use case: its tombstone and the datasets erased with it",
    description="Each dataset's own report (which services have confirmed) is GET /datasets/{id}/erasure in the "
    "data service.",
)
async def erasure(usecase_id: UUID, session: SessionDep, user: CurrentUser) -> UseCaseErasureOut:
    return erasure_out(await service.erasure_of(session, user, usecase_id))


@router.put("/{usecase_id}/rice", summary="A reviewer's RICE judgement, replacing derived figures")
async def set_rice(
    usecase_id: UUID, body: RiceOverridesIn, session: SessionDep, user: CurrentUser, context: ContextDep
) -> UseCaseOut:
    overrides = RiceOverrides(**body.model_dump())
    return usecase_out(await service.set_rice_overrides(session, context, user, usecase_id, overrides))


@router.post("/{usecase_id}/comments", status_code=201, summary="Comment on a use case")
async def add_comment(usecase_id: UUID, body: CommentIn, session: SessionDep, user: CurrentUser) -> CommentOut:
    comment = await service.add_comment(session, user, usecase_id, body.body)
    return CommentOut.model_validate(comment, from_attributes=True)


@router.get("/{usecase_id}/comments", summary="Comments, oldest first")
async def list_comments(usecase_id: UUID, session: SessionDep, user: CurrentUser) -> list[CommentOut]:
    await service.get(session, user, usecase_id)
    return [CommentOut.model_validate(c, from_attributes=True) for c in await repo.comments(session, usecase_id)]


@router.get("/{usecase_id}/timeline", summary="Everything that happened to the use case, by when it happened")
async def timeline(usecase_id: UUID, session: SessionDep, user: CurrentUser) -> list[TimelineEntryOut]:
    await service.get(session, user, usecase_id)
    entries = await repo.timeline(session, usecase_id)
    return [TimelineEntryOut.model_validate(e, from_attributes=True) for e in entries]


@router.get("/{usecase_id}/history", summary="Audit trail: who did what, when")
async def history(usecase_id: UUID, session: SessionDep, user: CurrentUser) -> list[AuditEntryOut]:
    await service.get(session, user, usecase_id)
    return [AuditEntryOut.model_validate(a, from_attributes=True) for a in await repo.history(session, usecase_id)]
