"""The rules of a use case's life: drafting, review, decisions, and what the rest of the platform reports.

No SQL (repository.py), no commits (the request or message boundary commits), no HTTP. Every change is
audited; every decision publishes its event through the outbox in the same transaction, and only once: a
retried decision finds the use case already in the decided status and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import errors
from tuneline.common.auth import Principal, Role, audit
from tuneline.common.events import (
    USECASE_APPROVED,
    USECASE_ERASED,
    USECASE_REJECTED,
    USECASE_RETIRED,
    USECASE_SUBMITTED,
    DatasetErased,
    Event,
    JobCompleted,
    Topic,
    UseCaseIntakeRequested,
    utcnow,
)
from tuneline.common.messaging import add_event
from tuneline.intake.costing import measured
from tuneline.intake.costing.estimate import CostAssumptions
from tuneline.intake.form import UseCaseForm
from tuneline.intake.qualification.assess import assess
from tuneline.intake.qualification.report import assessment_to_dict
from tuneline.intake.qualification.rice import RiceOverrides
from tuneline.intake.usecases import repository as repo
from tuneline.intake.usecases.lifecycle import (
    TRANSITIONS,
    Action,
    IllegalTransition,
    Status,
    allowed_actions,
    next_status,
)
from tuneline.intake.usecases.permissions import Operation, PermissionDenied, authorize
from tuneline.intake.usecases.progress import fold, system_actions
from tuneline.intake.usecases.publishing import (
    approved_event,
    erased_event,
    rejected_event,
    retired_event,
    submitted_event,
)
from tuneline.intake.usecases.tables import CommentRow, TimelineRow, UseCaseErasureRow, UseCaseRow
from tuneline.intake.usecases.template import draft_from_payload, from_template, is_template
from tuneline.intake.usecases.validation import FieldProblem, IntakeFormError, validate_submission

log = structlog.get_logger(__name__)

# Audit action and timeline entry type per lifecycle action.
_DONE = {
    Action.EDIT: "usecase.edited",
    Action.SUBMIT: "usecase.submitted",
    Action.START_REVIEW: "usecase.review_started",
    Action.APPROVE: "usecase.approved",
    Action.REJECT: "usecase.rejected",
    Action.REQUEST_CHANGES: "usecase.changes_requested",
    Action.START_WORK: "usecase.work_started",
    Action.DEPLOY: "usecase.deployed",
    Action.RETIRE: "usecase.retired",
}


@dataclass(frozen=True)
class IntakeContext:
    """What the rules need from configuration, built once at start."""

    producer: str
    assumptions: CostAssumptions


# --------------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------------


def invalid_input(exc: IntakeFormError) -> errors.InvalidInput:
    problems = [{"field": p.field, "message": p.message} for p in exc.problems]
    return errors.InvalidInput(str(exc), field=exc.problems[0].field if exc.problems else None, errors=problems)


def _allow(actor: Principal, what: Action | Operation, row: UseCaseRow | None = None) -> None:
    try:
        authorize(actor, what, submitter=row.submitter if row else None, team=row.team if row else None)
    except PermissionDenied as exc:
        raise errors.AccessDenied(
            str(exc),
            actor=actor.subject,
            action=what.value,
            resource_type="usecase",
            resource_id=row.id if row else "(new)",
            team=row.team if row else actor.team,
        ) from exc


def missing_fields(form: Mapping[str, Any]) -> list[FieldProblem]:
    """What stands between a draft and a submittable form (empty when complete)."""
    try:
        validate_submission(form)
    except IntakeFormError as exc:
        return exc.problems
    return []


def _complete(row: UseCaseRow) -> UseCaseForm:
    try:
        return validate_submission(row.form)
    except IntakeFormError as exc:
        raise invalid_input(exc) from exc


async def _qualify(session: AsyncSession, row: UseCaseRow, ctx: IntakeContext) -> None:
    """Store the assessment of a complete form (and its rank); an incomplete draft has none yet.

    Training is costed with the throughput measured on finished jobs so far (``costing.measured``).
    """
    try:
        form = validate_submission(row.form)
    except IntakeFormError:
        row.assessment, row.rice_score, row.recommended_approach = None, None, None
        return
    assumptions = await measured.current_assumptions(session, ctx.assumptions)
    assessment = assess(form, assumptions, RiceOverrides(**row.rice_overrides))
    row.assessment = assessment_to_dict(assessment)
    row.rice_score = assessment.rice.score
    row.recommended_approach = assessment.decision.recommended.value


def _checked_draft(payload: Any) -> dict[str, Any]:
    """The draft to store, or InvalidInput naming every bad field (a missing title among them)."""
    problems: list[FieldProblem] = []
    draft: dict[str, Any] = {}
    try:
        draft = draft_from_payload(payload)
    except IntakeFormError as exc:
        problems = list(exc.problems)
    title = payload.get("title") if isinstance(payload, Mapping) else None
    if not title and not any(p.field == "title" for p in problems):
        problems.insert(0, FieldProblem("title", "a use case needs a title from its first draft"))
    if problems:
        raise invalid_input(IntakeFormError(problems))
    return draft


async def _set_form(session: AsyncSession, row: UseCaseRow, draft: dict[str, Any], ctx: IntakeContext) -> None:
    row.form = draft
    row.title = draft["title"]
    row.industry = draft.get("industry")
    row.business_unit = draft.get("business_unit")
    await _qualify(session, row, ctx)


async def _load(session: AsyncSession, usecase_id: UUID, *, for_update: bool = False) -> UseCaseRow:
    row = await repo.get(session, usecase_id, for_update=for_update)
    if row is None:
        erased = await repo.get_erasure(session, usecase_id)
        if erased is not None:
            raise errors.NotFound(
                f"use case {usecase_id} was erased on {erased.erased_at.date().isoformat()} "
                f"(GET /usecases/{usecase_id}/erasure)"
            )
        raise errors.NotFound(f"use case {usecase_id} not found")
    return row


def _already_done(status: Status, action: Action) -> bool:
    """A retried request: the use case already sits where this action leads (so do nothing again)."""
    return action is not Action.EDIT and any(a is action and t is status for (_, a), t in TRANSITIONS.items())


async def _record(
    session: AsyncSession,
    row: UseCaseRow,
    type_: str,
    actor: str,
    *,
    event: Event | None = None,
    payload: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> None:
    """Intake's own step on the use case's timeline (with the published event's id when there is one)."""
    await repo.add_timeline(
        session,
        TimelineRow(
            usecase_id=row.id,
            event_id=event.event_id if event else uuid4(),
            type=type_,
            occurred_at=event.occurred_at if event else (occurred_at or utcnow()),
            producer="intake",
            actor=actor,
            payload=event.model_dump(mode="json") if event else (payload or {}),
        ),
    )


async def _move(session: AsyncSession, actor: Principal, row: UseCaseRow, action: Action, **details: Any) -> bool:
    """Apply `action`; False when it was already applied (a retry), IllegalTransition when not possible."""
    _allow(actor, action, row)
    current = Status(row.status)
    try:
        target = next_status(current, action)
    except IllegalTransition as exc:
        if _already_done(current, action):
            return False
        allowed = [a.value for a in exc.allowed]
        raise errors.IllegalTransition("use case", current.value, action.value, allowed) from exc
    row.status = target.value
    row.updated_at = utcnow()
    await audit(
        session, actor, _DONE[action], "usecase", row.id, from_status=current.value, to_status=target.value, **details
    )
    log.info(_DONE[action].replace("usecase.", "intake.usecase."), usecase_id=str(row.id), status=target.value)
    return True


async def _publish(session: AsyncSession, row: UseCaseRow, topic: Topic[Any], event: Event, actor: str) -> None:
    await add_event(session, topic, event)
    await _record(session, row, topic.name, actor, event=event)


# --------------------------------------------------------------------------------------------------------------
# commands from people
# --------------------------------------------------------------------------------------------------------------


async def create_draft(
    session: AsyncSession,
    ctx: IntakeContext,
    actor: Principal,
    payload: Any,
    *,
    source_system: str | None = None,
    external_ref: str | None = None,
    team: str | None = None,
) -> UseCaseRow:
    """A new draft from the intake form (complete or not) or the architects' JSON template; it belongs to the
    creator's team (an outside system names the team in its request)."""
    _allow(actor, Operation.CREATE)
    draft = _checked_draft(payload)
    row = UseCaseRow(
        title="",
        submitter=actor.subject,
        team=actor.team if team is None else team,
        source_system=source_system,
        external_ref=external_ref,
    )
    await _set_form(session, row, draft, ctx)
    await repo.add(session, row)
    await audit(session, actor, "usecase.created", "usecase", row.id, source_system=source_system, team=row.team)
    await _record(session, row, "usecase.created", actor.subject)
    log.info("intake.usecase.created", usecase_id=str(row.id))
    return row


async def edit(
    session: AsyncSession, ctx: IntakeContext, actor: Principal, usecase_id: UUID, changes: Mapping[str, Any]
) -> UseCaseRow:
    """Change fields of a draft (or of one sent back for changes); a null value clears a field."""
    row = await _load(session, usecase_id, for_update=True)
    await _move(session, actor, row, Action.EDIT, fields=sorted(changes))
    try:
        updates = from_template(changes) if is_template(changes) else dict(changes)
    except IntakeFormError as exc:
        raise invalid_input(exc) from exc
    merged = {k: v for k, v in {**row.form, **updates}.items() if v is not None}
    await _set_form(session, row, _checked_draft(merged), ctx)
    return row


async def submit(session: AsyncSession, ctx: IntakeContext, actor: Principal, usecase_id: UUID) -> UseCaseRow:
    row = await _load(session, usecase_id, for_update=True)
    if await _move(session, actor, row, Action.SUBMIT):
        form = _complete(row)
        await _qualify(session, row, ctx)
        event = submitted_event(row.id, form, submitted_by=actor.subject, team=row.team, producer=ctx.producer)
        await _publish(session, row, USECASE_SUBMITTED, event, actor.subject)
    return row


async def start_review(session: AsyncSession, actor: Principal, usecase_id: UUID) -> UseCaseRow:
    row = await _load(session, usecase_id, for_update=True)
    if await _move(session, actor, row, Action.START_REVIEW):
        await _record(session, row, _DONE[Action.START_REVIEW], actor.subject)
    return row


async def _decide(row: UseCaseRow, actor: Principal, reason: str | None) -> None:
    row.decided_by = actor.subject
    row.decided_at = utcnow()
    row.decision_reason = reason


async def approve(
    session: AsyncSession, ctx: IntakeContext, actor: Principal, usecase_id: UUID, reason: str | None = None
) -> UseCaseRow:
    row = await _load(session, usecase_id, for_update=True)
    if await _move(session, actor, row, Action.APPROVE):
        await _decide(row, actor, reason)
        event = approved_event(
            row.id,
            _complete(row),
            approved_by=actor.subject,
            team=row.team,
            submitted_by=row.submitter,
            producer=ctx.producer,
        )
        await _publish(session, row, USECASE_APPROVED, event, actor.subject)
    return row


async def reject(
    session: AsyncSession, ctx: IntakeContext, actor: Principal, usecase_id: UUID, reason: str
) -> UseCaseRow:
    row = await _load(session, usecase_id, for_update=True)
    if await _move(session, actor, row, Action.REJECT):
        await _decide(row, actor, reason)
        event = rejected_event(row.id, reason=reason, rejected_by=actor.subject, producer=ctx.producer)
        await _publish(session, row, USECASE_REJECTED, event, actor.subject)
    return row


async def request_changes(session: AsyncSession, actor: Principal, usecase_id: UUID, reason: str) -> UseCaseRow:
    row = await _load(session, usecase_id, for_update=True)
    if await _move(session, actor, row, Action.REQUEST_CHANGES):
        await _decide(row, actor, reason)
        await _record(session, row, _DONE[Action.REQUEST_CHANGES], actor.subject, payload={"reason": reason})
    return row


async def retire(
    session: AsyncSession, ctx: IntakeContext, actor: Principal, usecase_id: UUID, reason: str
) -> UseCaseRow:
    """Retire the use case: `usecase.retired` (once) closes it in the other services."""
    row = await _load(session, usecase_id, for_update=True)
    if await _move(session, actor, row, Action.RETIRE):
        event = retired_event(row.id, reason=reason, retired_by=actor.subject, team=row.team, producer=ctx.producer)
        await _publish(session, row, USECASE_RETIRED, event, actor.subject)
    return row


async def set_rice_overrides(
    session: AsyncSession, ctx: IntakeContext, actor: Principal, usecase_id: UUID, overrides: RiceOverrides
) -> UseCaseRow:
    row = await _load(session, usecase_id, for_update=True)
    _allow(actor, Operation.PRIORITISE, row)
    row.rice_overrides = {k: v for k, v in vars(overrides).items() if v is not None}
    row.updated_at = utcnow()
    await _qualify(session, row, ctx)
    await audit(session, actor, "usecase.rice_overridden", "usecase", row.id, **row.rice_overrides)
    return row


async def add_comment(session: AsyncSession, actor: Principal, usecase_id: UUID, body: str) -> CommentRow:
    row = await _load(session, usecase_id)
    _allow(actor, Operation.COMMENT, row)
    comment = await repo.add_comment(session, CommentRow(usecase_id=row.id, author=actor.subject, body=body))
    await audit(session, actor, "usecase.commented", "usecase", row.id, comment_id=str(comment.id))
    return comment


async def get(session: AsyncSession, actor: Principal, usecase_id: UUID) -> UseCaseRow:
    """The use case, when `actor` may read it (its team's members, admins and service accounts)."""
    row = await _load(session, usecase_id)
    _allow(actor, Operation.READ, row)
    return row


# --------------------------------------------------------------------------------------------------------------
# erasure (the right to deletion)
# --------------------------------------------------------------------------------------------------------------

#: An erased use case keeps no submitter: a team-less one is then admins' and service accounts' only.
_NO_OWNER = ""


def _allow_erased(actor: Principal, what: Operation, erasure: UseCaseErasureRow) -> None:
    try:
        authorize(actor, what, submitter=_NO_OWNER, team=erasure.team)
    except PermissionDenied as exc:
        raise errors.AccessDenied(
            str(exc),
            actor=actor.subject,
            action=what.value,
            resource_type="usecase",
            resource_id=erasure.usecase_id,
            team=erasure.team,
        ) from exc


async def erase(
    session: AsyncSession, ctx: IntakeContext, actor: Principal, usecase_id: UUID, reason: str
) -> tuple[UseCaseErasureRow, bool]:
    """Erase the use case: retire it first when it is live (so `usecase.retired` closes it everywhere), delete what
    intake stores about it (the use case, its form and assessment, comments, timeline, sent outbox rows and dead
    letters keyed by it), keep a tombstone and publish `usecase.erased` (the data service erases its datasets).

    Returns the tombstone and whether this call erased it: a repeated request (or one that waited on a concurrent
    erasure's lock) gets the existing tombstone and changes nothing."""
    row = await repo.get(session, usecase_id, for_update=True)
    if row is None:
        existing = await repo.get_erasure(session, usecase_id)
        if existing is None:
            raise errors.NotFound(f"use case {usecase_id} not found")
        _allow_erased(actor, Operation.ERASE, existing)
        return existing, False
    _allow(actor, Operation.ERASE, row)
    status_before = row.status
    if any(a is Action.RETIRE for a in allowed_actions(Status(row.status))):
        await retire(session, ctx, actor, usecase_id, reason)
    datasets = await repo.erased_datasets_on_timeline(session, row.id)
    erasure = UseCaseErasureRow(
        usecase_id=row.id,
        team=row.team,
        status_before=status_before,
        created_at=row.created_at,
        reason=reason,
        erased_by=actor.subject,
        datasets=datasets,
    )
    erasure.counts = await repo.delete_usecase(session, row)
    await repo.add_erasure(session, erasure)
    await audit(
        session,
        actor,
        "usecase.erased",
        "usecase",
        usecase_id,
        erasure_id=str(erasure.id),
        status_before=status_before,
        team=erasure.team,
        counts=erasure.counts,
    )
    event = erased_event(usecase_id, reason=reason, erased_by=actor.subject, team=erasure.team, producer=ctx.producer)
    await add_event(session, USECASE_ERASED, event)
    log.info("intake.usecase.erased", usecase_id=str(usecase_id), status_before=status_before, **erasure.counts)
    return erasure, True


async def erasure_of(session: AsyncSession, actor: Principal, usecase_id: UUID) -> UseCaseErasureRow:
    """The tombstone, for the use case's team (and admins, service accounts)."""
    erasure = await repo.get_erasure(session, usecase_id)
    if erasure is None:
        raise errors.NotFound(f"use case {usecase_id} has no erasure")
    _allow_erased(actor, Operation.READ, erasure)
    return erasure


async def _about_erased_usecase(session: AsyncSession, usecase_id: UUID, event: Event) -> bool:
    """A fact about an erased use case goes on no timeline; a dataset of it that was erased (usually because of it)
    is noted in the tombstone. False when the use case was not erased."""
    erasure = await repo.get_erasure(session, usecase_id, for_update=True)
    if erasure is None:
        return False
    if isinstance(event, DatasetErased) and event.whole_dataset and str(event.dataset_id) not in erasure.datasets:
        erasure.datasets = {**erasure.datasets, str(event.dataset_id): str(event.erasure_id)}
        await repo.add_erasure(session, erasure)
    return True


# --------------------------------------------------------------------------------------------------------------
# facts from other services and outside systems
# --------------------------------------------------------------------------------------------------------------


async def record_lifecycle_event(session: AsyncSession, event: Event) -> bool:
    """Put another service's fact on the use case's timeline and fold it into its progress.

    A finished job's measured training throughput is folded into the cost model whatever the use case, so the
    next use case's estimate uses it. Returns False for a use case intake does not know (an event from another
    installation or a test).
    """
    if isinstance(event, JobCompleted):
        await measured.record_finished_job(session, event)
    if event.usecase_id is None:
        return False
    row = await repo.get(session, event.usecase_id, for_update=True)
    if row is None and await _about_erased_usecase(session, event.usecase_id, event):
        return True
    if row is None:
        log.warning("intake.timeline.unknown_usecase", usecase_id=str(event.usecase_id), type=event.type)
        return False
    await repo.add_timeline(
        session,
        TimelineRow(
            usecase_id=row.id,
            event_id=event.event_id,
            type=event.type,
            occurred_at=event.occurred_at,
            producer=event.producer,
            payload=event.model_dump(mode="json"),
        ),
    )
    row.progress = fold(row.progress, event)
    row.stage = row.progress["stage"]["label"]
    row.last_event_at = max(filter(None, (row.last_event_at, event.occurred_at)))
    system = Principal(subject=f"service:{event.producer}", roles=frozenset({Role.SERVICE}))
    for action in system_actions(Status(row.status), event):
        await _move(session, system, row, action, event_id=str(event.event_id))
        # Dated by the fact that caused it, so the timeline reads in the order things happened.
        await _record(
            session, row, _DONE[action], system.subject, payload={"because": event.type}, occurred_at=event.occurred_at
        )
    return True


async def intake_from_outside(session: AsyncSession, ctx: IntakeContext, event: UseCaseIntakeRequested) -> UUID | None:
    """A use case requested by an outside system: created once per (system, reference), submitted if complete."""
    existing = await repo.get_by_external_ref(session, event.source_system, event.external_ref)
    if existing is not None:
        return existing.id
    actor = Principal(subject=f"{event.source_system}:{event.requested_by}", roles=frozenset({Role.SERVICE}))
    try:
        row = await create_draft(
            session,
            ctx,
            actor,
            event.form,
            source_system=event.source_system,
            external_ref=event.external_ref,
            team=event.team,
        )
    except errors.InvalidInput as exc:
        # Retrying cannot fix a bad form: record why (field names only) for the sending system's operators.
        fields = [e["field"] for e in exc.extra.get("errors", [])] or [exc.field or "(form)"]
        await audit(
            session, actor, "usecase.ingress_rejected", "ingress", event.external_ref, fields=fields, detail=exc.message
        )
        log.warning("intake.ingress.rejected", source_system=event.source_system, fields=fields)
        return None
    if not missing_fields(row.form):
        await submit(session, ctx, actor, row.id)
    return row.id
