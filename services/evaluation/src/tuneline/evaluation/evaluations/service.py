"""The rules of evaluations: scheduling from job.completed, the release decision, completion and failure
(each publishing evaluation.completed through the outbox), recovery of lost runs, and human review.

No SQL, no commits, no HTTP here: repository.py queries, the message/request boundary commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import erasure
from tuneline.common.access import scope_of
from tuneline.common.auth import Principal, audit
from tuneline.common.errors import Conflict, InvalidInput, NotFound
from tuneline.common.events import (
    EVALUATION_COMPLETED,
    DatasetErased,
    EvaluationCompleted,
    JobCompleted,
    JobProgress,
    UseCaseApproved,
    utcnow,
)
from tuneline.common.messaging import add_event
from tuneline.common.observability import current_traceparent
from tuneline.common.records import PromptTemplate
from tuneline.common.storage import ObjectStore
from tuneline.common.waiting import announce_work
from tuneline.evaluation.evaluations import access, repository
from tuneline.evaluation.evaluations.tables import (
    EvaluationRating,
    EvaluationReviewItem,
    EvaluationRun,
    EvaluationUseCase,
)
from tuneline.evaluation.results import EvaluationOutcome
from tuneline.evaluation.review.aggregates import ReviewAggregates, aggregate
from tuneline.evaluation.review.policy import ReviewDecision, ReviewPolicy, ReviewStatus, review_status
from tuneline.evaluation.review.ratings import Rating
from tuneline.evaluation.review.sampling import BlindItem
from tuneline.evaluation.settings import EvaluationSettings
from tuneline.evaluation.summary.report import ImprovementSummary

log = structlog.get_logger(__name__)


async def record_usecase(session: AsyncSession, event: UseCaseApproved) -> None:
    await repository.upsert_usecase(
        session,
        EvaluationUseCase(
            usecase_id=event.usecase_id,
            kpi_targets=dict(event.kpi_targets),
            labels=list(event.labels),
            human_review_required=event.policy.human_review_required,
            team=event.team,
            sensitivity=event.sensitivity.model_dump(),
            updated_at=utcnow(),
        ),
    )


async def record_progress(session: AsyncSession, event: JobProgress) -> None:
    if event.train_loss is None and event.val_loss is None:
        return
    await repository.add_loss_point(session, event.job_id, event.step, event.train_loss, event.val_loss)


def log_skipped_trial(event: JobCompleted) -> None:
    """A trial of a hyperparameter study finished: not evaluated on its own; the study's best trial arrives in
    study.completed and is queued then."""
    log.info("evaluation.run.trial_skipped", job_id=str(event.job_id), study_id=str(event.study_id))


async def schedule_for_job(session: AsyncSession, settings: EvaluationSettings, event: JobCompleted) -> UUID | None:
    """Queue one evaluation for the job (None when the job already has one: a repeated job.completed). It
    belongs to the job's team (job.completed), or its use case's when the event predates teams."""
    if await erasure.erased_among(session, [event.dataset_version_id]):
        log.info("evaluation.run.erased_data", job_id=str(event.job_id))
        return None  # dataset.erased overtook it (another topic): never evaluate on erased data
    team = event.team
    if team is None and (usecase := await repository.get_usecase(session, event.usecase_id)) is not None:
        team = usecase.team
    run = EvaluationRun(
        usecase_id=event.usecase_id,
        team=team,
        job_id=event.job_id,
        dataset_version_id=event.dataset_version_id,
        task_type=event.task_type,
        base_model=event.base_model,
        adapter_uri=event.adapter_uri,
        test_split_uri=event.test_split_uri,
        method=event.method,
        labels=list(event.labels),
        prompt_template=event.prompt_template.model_dump(mode="json") if event.prompt_template else None,
        hyperparameters=dict(event.hyperparameters),
        trace_context=current_traceparent(),  # the runner continues the trace job.completed arrived with
    )
    if not await repository.add_run_once(session, run):
        log.info("evaluation.run.duplicate_job", job_id=str(event.job_id))
        return None
    await audit(session, settings.service_name, "evaluation.queued", "evaluation", run.id, job_id=str(event.job_id))
    await announce_work(session)
    log.info("evaluation.run.queued", evaluation_id=str(run.id), job_id=str(event.job_id))
    if event.test_split_uri is None:
        stored = await repository.get_run(session, run.id, for_update=True)
        assert stored is not None
        await fail_run(session, settings, stored, "the training job has no test split to evaluate on")
    return run.id


@dataclass(frozen=True)
class ReleaseDecision:
    passed: bool
    reasons: list[str]


def release_decision(outcome: EvaluationOutcome, summary: ImprovementSummary) -> ReleaseDecision:
    """Release when the forgetting gate passes and every KPI target this evaluation measures is met.

    A use case's business KPIs (triage time, customer satisfaction...) cannot be measured on held-out data:
    they are reported as not measured and left to monitoring and people, not counted against the release.
    """
    reasons: list[str] = []
    passed = True
    if outcome.gate is None and outcome.model_kind == "encoder":
        reasons.append(
            "forgetting gate: not applicable to an encoder classifier (it generates no text, so there is no "
            "general-text perplexity or instruction suite to measure; the shared base encoder is unchanged)"
        )
    elif outcome.gate is None:
        reasons.append("the forgetting gate did not run")
        passed = False
    else:
        passed = outcome.gate.passed
        reasons += [f"forgetting gate: {r}" for r in outcome.gate.reasons]
    for kpi in summary.kpis:
        if kpi.value is None:
            reasons.append(f"KPI {kpi.reason} (business KPI: not a release criterion)")
            continue
        reasons.append(f"KPI {kpi.reason}")
        passed = passed and kpi.met
    reasons.append(f"quality score {summary.quality.score:.1f}/100")
    return ReleaseDecision(passed=passed, reasons=reasons)


def forgetting_figures(outcome: EvaluationOutcome) -> dict[str, float]:
    gate = outcome.gate
    if gate is None:
        return {}
    return {
        "general_perplexity_base": gate.base.perplexity,
        "general_perplexity_tuned": gate.tuned.perplexity,
        "perplexity_ratio": gate.perplexity_ratio,
        "suite_score_base": gate.base.suite_score,
        "suite_score_tuned": gate.tuned.suite_score,
        "suite_drop": gate.suite_drop,
        "max_perplexity_ratio": gate.thresholds.max_perplexity_ratio,
        "max_suite_drop": gate.thresholds.max_suite_drop,
    }


async def complete_run(
    session: AsyncSession,
    settings: EvaluationSettings,
    run: EvaluationRun,
    outcome: EvaluationOutcome,
    summary: ImprovementSummary,
    review: ReviewDecision,
    items: Sequence[BlindItem],
    report_uri: str,
    report_keys: tuple[str, str],
) -> None:
    decision = release_decision(outcome, summary)
    usecase = await repository.get_usecase(session, run.usecase_id)
    review_reasons = list(review.reasons) if review.required else []
    if usecase is not None and usecase.human_review_required:
        review_reasons.append("the use case's policy requires a human review before promotion")
    run.status = "completed"
    run.finished_at = utcnow()
    run.passed = decision.passed
    run.reasons = decision.reasons
    run.metrics_base = dict(outcome.base.metrics)
    run.metrics_tuned = dict(outcome.tuned.metrics)
    run.forgetting = forgetting_figures(outcome)
    run.quality_score = summary.quality.score
    run.review_required = bool(review_reasons)
    run.review_reasons = review_reasons or list(review.reasons)
    run.report_key, run.report_html_key = report_keys
    run.error = None
    await repository.add_review_items(
        session,
        [
            EvaluationReviewItem(
                evaluation_id=run.id,
                item_id=i.item_id,
                record_id=i.record_id,
                prompt=i.prompt,
                reference=i.reference,
                output_a=i.output_a,
                output_b=i.output_b,
                tuned_side=i.tuned_side,
            )
            for i in items
        ],
    )
    await add_event(session, EVALUATION_COMPLETED, _completed_event(settings, run, report_uri))
    await audit(session, settings.service_name, "evaluation.completed", "evaluation", run.id, passed=run.passed)
    log.info("evaluation.run.completed", evaluation_id=str(run.id), passed=run.passed)


async def fail_run(session: AsyncSession, settings: EvaluationSettings, run: EvaluationRun, reason: str) -> None:
    """A failed evaluation is a "do not release" decision, so it is published like a completed one."""
    run.status = "failed"
    run.finished_at = utcnow()
    run.passed = False
    run.reasons = [f"evaluation failed: {reason}"]
    run.error = reason
    run.worker = None
    await add_event(session, EVALUATION_COMPLETED, _completed_event(settings, run, None))
    await audit(session, settings.service_name, "evaluation.failed", "evaluation", run.id)
    log.warning("evaluation.run.failed", evaluation_id=str(run.id), reason=reason)


async def recover_lost_run(session: AsyncSession, settings: EvaluationSettings, run: EvaluationRun) -> str:
    """Re-queue a run whose runner vanished (it restarts from the stored inputs); give up after max attempts."""
    if run.attempts >= settings.runner_max_attempts:
        await fail_run(session, settings, run, f"runner lost {run.attempts} times (last: {run.worker})")
        return "failed"
    run.status = "queued"
    run.worker = None
    run.heartbeat_at = None
    await announce_work(session)
    await audit(session, settings.service_name, "evaluation.requeued", "evaluation", run.id, attempts=run.attempts)
    return "requeued"


def _completed_event(settings: EvaluationSettings, run: EvaluationRun, report_uri: str | None) -> EvaluationCompleted:
    return EvaluationCompleted(
        producer=settings.service_name,
        usecase_id=run.usecase_id,
        evaluation_id=run.id,
        job_id=run.job_id,
        dataset_version_id=run.dataset_version_id,
        task_type=run.task_type,
        base_model=run.base_model,
        adapter_uri=run.adapter_uri,
        method=run.method,
        passed=bool(run.passed),
        reasons=list(run.reasons),
        metrics_base=dict(run.metrics_base),
        metrics_tuned=dict(run.metrics_tuned),
        forgetting=dict(run.forgetting),
        hyperparameters=dict(run.hyperparameters),
        review_required=run.review_required,
        report_uri=report_uri,
        prompt_template=PromptTemplate.model_validate(run.prompt_template) if run.prompt_template else None,
        team=run.team,
    )


# ------------------------------------------------------------------------------------------------- reads


async def get_run(session: AsyncSession, evaluation_id: UUID) -> EvaluationRun:
    run = await repository.get_run(session, evaluation_id)
    if run is None:
        raise NotFound(f"evaluation {evaluation_id} does not exist")
    return run


async def readable_run(
    session: AsyncSession, user: Principal, evaluation_id: UUID, *, records: bool = False
) -> EvaluationRun:
    """The evaluation, if `user` may read it (with `records`: its held-out records and outputs too)."""
    run = await get_run(session, evaluation_id)
    if records:
        access.ensure_can_read_records(user, run, await repository.get_usecase(session, run.usecase_id))
    else:
        access.ensure_can_read(user, run)
    return run


async def reviewable_run(session: AsyncSession, user: Principal, evaluation_id: UUID) -> EvaluationRun:
    run = await readable_run(session, user, evaluation_id, records=True)
    access.ensure_can_review(user, run)
    return run


async def list_runs(
    session: AsyncSession, user: Principal, usecase_id: UUID | None, status: str | None, limit: int, offset: int
) -> list[EvaluationRun]:
    return await repository.list_runs(
        session, scope=scope_of(user), usecase_id=usecase_id, status=status, limit=limit, offset=offset
    )


async def loss_history(session: AsyncSession, job_id: UUID) -> list[dict[str, float]]:
    points = []
    for p in await repository.loss_points(session, job_id):
        point: dict[str, float] = {"step": float(p.step)}
        if p.train_loss is not None:
            point["loss"] = p.train_loss
        if p.val_loss is not None:
            point["eval_loss"] = p.val_loss
        points.append(point)
    return points


# ------------------------------------------------------------------------------------------------- review


def _blind(item: EvaluationReviewItem) -> BlindItem:
    return BlindItem(
        item_id=item.item_id,
        record_id=item.record_id,
        prompt=item.prompt,
        reference=item.reference,
        output_a=item.output_a,
        output_b=item.output_b,
        tuned_side=item.tuned_side,
    )


async def review_items(session: AsyncSession, evaluation_id: UUID) -> list[EvaluationReviewItem]:
    run = await get_run(session, evaluation_id)
    if run.status != "completed":
        raise Conflict(f"evaluation {evaluation_id} is {run.status}; review opens when it is completed")
    return await repository.review_items(session, evaluation_id)


async def submit_rating(
    session: AsyncSession, evaluation_id: UUID, reviewer: Principal, values: dict[str, Any]
) -> EvaluationRating:
    items = {i.item_id: i for i in await review_items(session, evaluation_id)}
    item_id = str(values.get("item_id", ""))
    if item_id not in items:
        raise InvalidInput(f"item_id {item_id!r} is not a review item of evaluation {evaluation_id}", field="item_id")
    try:
        rating = Rating(reviewer=reviewer.subject, **values)
    except ValueError as error:
        raise InvalidInput(str(error), field=str(error).split(" ", 1)[0]) from error
    row = EvaluationRating(evaluation_id=evaluation_id, **_rating_columns(rating), created_at=utcnow())
    await repository.upsert_rating(session, row)
    await audit(session, reviewer, "evaluation.rated", "evaluation", evaluation_id, item_id=item_id, side=rating.side)
    return row


def _rating_columns(rating: Rating) -> dict[str, Any]:
    return {
        "item_id": rating.item_id,
        "reviewer": rating.reviewer,
        "side": rating.side,
        "relevance": rating.relevance,
        "correctness": rating.correctness,
        "style_match": rating.style_match,
        "helpfulness": rating.helpfulness,
        "safe": rating.safe,
        "comment": rating.comment,
    }


@dataclass(frozen=True)
class ReviewSummary:
    required: bool
    required_reasons: list[str]
    aggregates: ReviewAggregates
    status: ReviewStatus


async def review_summary(
    session: AsyncSession, evaluation_id: UUID, policy: ReviewPolicy | None = None
) -> ReviewSummary:
    run = await get_run(session, evaluation_id)
    items = [_blind(i) for i in await review_items(session, evaluation_id)]
    ratings = [
        Rating(
            item_id=r.item_id,
            reviewer=r.reviewer,
            side=r.side,
            relevance=r.relevance,
            correctness=r.correctness,
            style_match=r.style_match,
            helpfulness=r.helpfulness,
            safe=r.safe,
            comment=r.comment,
        )
        for r in await repository.ratings(session, evaluation_id)
    ]
    aggregates = aggregate(items, ratings)
    status = review_status(aggregates, ratings, len(items), policy or ReviewPolicy())
    return ReviewSummary(
        required=run.review_required, required_reasons=list(run.review_reasons), aggregates=aggregates, status=status
    )


def evaluation_prefix(evaluation_id: UUID) -> str:
    """Where the runner keeps an evaluation's checkpoints (with outputs) and reports."""
    return f"evaluations/{evaluation_id}/"


async def erase_for_dataset(
    session: AsyncSession, settings: EvaluationSettings, store: ObjectStore, event: DatasetErased
) -> dict[str, int] | None:
    """Erase what evaluation holds of the erased dataset versions and acknowledge (once; None for a repeat).

    The evaluation row stays, marked erased, with its figures (metrics, gate reasons) and no record content: its
    review items (prompts, references, outputs), ratings and every stored object (reports with samples and worst
    cases, checkpoints with outputs) go; a queued or running evaluation is not run or finished."""
    if await erasure.applied(session, event.erasure_id):
        return None
    runs = await repository.runs_on_versions(session, list(event.version_ids))
    counts = {"evaluations": len(runs), "review_items": 0, "ratings": 0, "objects": 0, "stopped": 0}
    for run in runs:
        items, ratings = await repository.delete_review_of(session, run.id)
        counts["review_items"] += items
        counts["ratings"] += ratings
        counts["objects"] += await erasure.delete_prefix(store, evaluation_prefix(run.id))
        if run.status in ("queued", "running"):
            run.status = "erased"
            run.worker = None
            counts["stopped"] += 1
        run.erased_at = utcnow()
        run.test_split_uri = None
        run.report_key = run.report_html_key = None
        run.error = "erased" if run.error else None
    await audit(
        session,
        event.requested_by,
        "evaluation.dataset.erased",
        "dataset",
        event.dataset_id,
        erasure_id=str(event.erasure_id),
        evaluations=[str(r.id) for r in runs],
    )
    await erasure.acknowledge(session, event, service=settings.service_name, counts=counts)
    log.info("evaluation.dataset.erased", erasure_id=str(event.erasure_id), **counts)
    return counts
