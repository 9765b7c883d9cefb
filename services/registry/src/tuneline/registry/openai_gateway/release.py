"""What an OpenAI job's "succeeded" means here: trained, evaluated, let through by the release gate and served.

When the registry registers the version an OpenAI-created training job produced (evaluation.completed), a version
the gate passed is put into serving at once, as OpenAI clients expect of a fine-tuned model: deployed when the
model serves nothing yet, else switched to blue/green (the caller owns the use case and asked for this model).
The key that created the job may then call the model. A version the gate blocked is not served; the job reports
the gate's reasons as its error. A use case that requires human review waits for it (the job stays running).
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
from tuneline.registry.models.tables import ModelRow, VersionRow
from tuneline.registry.openai_gateway.mapping import Release
from tuneline.registry.openai_gateway.tables import OpenAIJobRow

log = structlog.get_logger(__name__)

SERVING = frozenset({"healthy", "degraded"})


async def on_registered(session: AsyncSession, ctx: ServingContext, event: EvaluationCompleted) -> None:
    """Serve the version of an OpenAI job that the gate passed (no-op for every other version)."""
    job = (
        await session.execute(sa.select(OpenAIJobRow).where(OpenAIJobRow.training_job_id == event.job_id))
    ).scalar_one_or_none()
    if job is None or not event.passed:
        return
    version_row = await models_repo.version_by_evaluation(session, event.evaluation_id)
    model_row = await models_repo.get_model_by_id(session, version_row.model_id) if version_row else None
    if version_row is None or model_row is None:
        return
    name, number = model_row.name, version_row.version
    current = await deployments_repo.for_model(session, model_row.id)
    try:
        async with session.begin_nested():
            if current is None or current.status not in SERVING:
                outcome = await deployments.deploy(session, ctx, name, number, None, actor=job.owner)
            else:
                outcome = await deployments.blue_green(session, ctx, name, number, actor=job.owner)
    except DomainError as exc:  # e.g. the use case requires a human review before production
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
    evaluation = version.evaluation or {}
    if not evaluation.get("passed", False):
        return Release("blocked", model.name, tuple(evaluation.get("reasons") or ()))
    deployment = await deployments_repo.for_model(session, model.id)
    if deployment is None:
        return Release("deploying", model.name)
    serves = version.id in (deployment.stable_version_id, deployment.canary_version_id)
    if deployment.status == "failed" and serves:
        return Release("failed", model.name, (deployment.detail or "deployment failed",))
    if deployment.status in SERVING and (serves or version.stage in ("production", "archived")):
        return Release("serving", model.name)  # served, or served until a newer fine-tune replaced it
    return Release("deploying", model.name)
