"""What an OpenAI job's "succeeded" means here: trained, evaluated, let through by the release gate and served.

When the registry registers the version an OpenAI-created training job produced (evaluation.completed), a version
the gate passed is put into serving at once, as OpenAI clients expect of a fine-tuned model: deployed when the
model serves nothing yet, else switched to blue/green (the caller owns the use case and asked for this model).
The key that created the job may then call the model. A version the gate blocked is not served; the job reports
the gate's reasons as its error. A version that needs a human review (the use case asks for one, or the evaluation
found free text or narrow margins) waits for it: the job stays running and says so in its events; a reviewer's
approval (POST /models/{name}/versions/{v}/review) serves it, a rejection fails the job with the reviewer's verdict.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.errors import DomainError
from tuneline.common.events import EvaluationCompleted
from tuneline.registry.deployments import repository as deployments_repo
from tuneline.registry.deployments import service as deployments
from tuneline.registry.deployments.service import ServingContext
from tuneline.registry.keys import service as keys
from tuneline.registry.models import repository as models_repo
from tuneline.registry.models.lifecycle import needs_review
from tuneline.registry.models.tables import ModelRow, VersionRow
from tuneline.registry.openai_gateway.mapping import Release, ReleaseNote
from tuneline.registry.openai_gateway.tables import OpenAIJobRow

log = structlog.get_logger(__name__)

SERVING = frozenset({"healthy", "degraded"})
PAST_SERVING = frozenset({"production", "deprecated", "archived"})


async def on_registered(session: AsyncSession, ctx: ServingContext, event: EvaluationCompleted) -> None:
    """Serve the version of an OpenAI job that the gate passed (no-op for every other version)."""
    job = await _openai_job(session, event.job_id)
    if job is None or not event.passed:
        return
    version_row = await models_repo.version_by_evaluation(session, event.evaluation_id)
    model_row = await models_repo.get_model_by_id(session, version_row.model_id) if version_row else None
    if version_row is None or model_row is None:
        return
    await _serve(session, ctx, job, model_row, version_row)


async def on_reviewed(session: AsyncSession, ctx: ServingContext, name: str, number: int, approved: bool) -> None:
    """A reviewer approved the version of an OpenAI job that waited for review: serve it now (no-op otherwise)."""
    model_row = await models_repo.get_model(session, name)
    if not approved or model_row is None:
        return
    version_row = await models_repo.version_of(session, model_row.id, number)
    if version_row is None or version_row.job_id is None:
        return
    job = await _openai_job(session, version_row.job_id)
    evaluation = models_repo.evaluation_of(version_row)
    if job is None or evaluation is None or not evaluation.passed:
        return
    await _serve(session, ctx, job, model_row, version_row)


async def _openai_job(session: AsyncSession, training_job_id: UUID) -> OpenAIJobRow | None:
    stmt = sa.select(OpenAIJobRow).where(OpenAIJobRow.training_job_id == training_job_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def _serve(
    session: AsyncSession, ctx: ServingContext, job: OpenAIJobRow, model_row: ModelRow, version_row: VersionRow
) -> None:
    """Deploy (or blue/green onto the live deployment) and widen the creating key's scope to the model."""
    name, number = model_row.name, version_row.version
    current = await deployments_repo.for_model(session, model_row.id)
    try:
        async with session.begin_nested():
            if current is None or current.status not in SERVING:
                outcome = await deployments.deploy(session, ctx, name, number, None, actor=job.owner)
            else:
                outcome = await deployments.blue_green(session, ctx, name, number, actor=job.owner)
    except DomainError as exc:  # e.g. the version waits for a human review before production
        log.info("registry.openai.release.waiting", job_id=job.id, model=name, version=number, reason=str(exc))
        return
    if not outcome.applied:  # the deployment row says why; the job reports it as its error
        log.warning("registry.openai.release.failed", job_id=job.id, model=name, version=number, detail=outcome.detail)
        return
    if job.key_prefix is not None and await keys.add_model(session, job.key_prefix, name) is not None:
        try:
            await deployments.sync(session, ctx)  # the routers learn the key's wider scope
        except DomainError as exc:  # serving goes on with the old key set; the next key change or restart syncs
            log.warning("registry.openai.release.key_sync_failed", job_id=job.id, model=name, detail=str(exc))
    log.info("registry.openai.release.served", job_id=job.id, model=name, version=number)


async def release_of(session: AsyncSession, training_job_id: UUID) -> Release:
    """Where the newest version trained by `training_job_id` stands, with the release steps taken so far."""
    found = (
        await session.execute(
            sa.select(ModelRow, VersionRow)
            .join(VersionRow, VersionRow.model_id == ModelRow.id)
            .where(VersionRow.job_id == training_job_id)
            .order_by(VersionRow.version.desc())
            .limit(1)
        )
    ).first()
    if found is None:
        return Release("evaluating")
    model, version = found
    name, label = model.name, f"{model.name} v{version.version}"
    evaluation = models_repo.evaluation_of(version)
    if evaluation is None or not evaluation.passed:
        reasons = evaluation.reasons if evaluation else ()
        blocked = ReleaseNote(version.created_at, "error", f"The release gate blocked {label}: " + "; ".join(reasons))
        return Release("blocked", name, reasons, (blocked,))
    notes = [ReleaseNote(version.created_at, "info", f"Evaluation passed; registered {label}")]
    review = models_repo.review_of(version)
    if review is not None:
        verdict = "approved" if review.approved else "did not approve"
        comment = f": {review.comment}" if review.comment else ""
        notes.append(
            ReleaseNote(
                review.at, "info" if review.approved else "error", f"{review.reviewer} {verdict} {label}{comment}"
            )
        )
    deployment = await deployments_repo.for_model(session, model.id)
    serves = deployment is not None and version.id in (deployment.stable_version_id, deployment.canary_version_id)
    if deployment is not None and serves and deployment.status == "failed":
        detail = deployment.detail or "deployment failed"
        notes.append(ReleaseNote(deployment.updated_at, "error", f"Serving {label} failed: {detail}"))
        return Release("failed", name, (detail,), tuple(notes))
    if deployment is not None and deployment.status in SERVING and (serves or version.stage in PAST_SERVING):
        # served, or served until a newer fine-tune replaced it
        notes.append(ReleaseNote(deployment.updated_at, "info", f"{label} serves as model {name!r}"))
        return Release("serving", name, (), tuple(notes))
    if needs_review(models_repo.policy_of(model).human_review_required, evaluation):
        if review is None:
            reasons = _review_reasons(version, name)
            notes.append(ReleaseNote(version.created_at, "warn", "; ".join(reasons)))
            return Release("reviewing", name, reasons, tuple(notes))
        if not review.approved:
            return Release("rejected", name, (notes[-1].message,), tuple(notes))
    return Release("deploying", name, (), tuple(notes))


def _review_reasons(version: VersionRow, name: str) -> tuple[str, ...]:
    evaluation_id = (version.evaluation or {}).get("evaluation_id")
    return (
        f"version {version.version} of {name} waits for a human review (evaluation {evaluation_id}: the blind "
        f"side-by-side sample is at /evaluations/{evaluation_id}/review/items)",
        f"a reviewer approves it with POST /models/{name}/versions/{version.version}/review",
    )
