"""The registry's cross-domain sequences, one function per trigger; routes and consumers make one call here.

Domains (models, keys, deployments, openai_gateway, serving) import only downward and never this module:

- evaluation.completed → register the version → serve it when an OpenAI fine-tuning job is waiting for it
- a reviewer's verdict → record it → serve the approved version of an OpenAI job that waited for the review
- a key created, revoked or widened, a policy changed → the serving reconciler pushes it (key creation tries at once)
- alert.raised → roll the canary back
- dataset.erased → stop serving and archive the versions trained on the erased data, delete their adapters, their
  exports and the OpenAI files that became that data, acknowledge (erasure.applied names the versions, for
  monitoring)
- a model card → the version's card with its completed exports

Serving an OpenAI job's version: a version the gate passed is put into serving at once, as OpenAI clients expect of
a fine-tuned model: deployed when the model serves nothing yet, else switched to blue/green (the caller owns the use
case and asked for this model). The key that created the job may then call the model. A version the gate blocked is
not served; the job reports the gate's reasons as its error. A version that needs a human review waits for it: the
job stays running and says so in its events; a reviewer's approval serves it, a rejection fails the job with the
reviewer's verdict (`openai_gateway.release.release_of` reads where a job's release stands).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import erasure
from tuneline.common.auth import Principal, Role, audit
from tuneline.common.errors import DomainError, InvalidInput, NotFound
from tuneline.common.events import AlertRaised, DatasetErased, EvaluationCompleted, UseCaseRetired
from tuneline.common.storage import ObjectStore, StorageError
from tuneline.registry.deployments import repository as deployments_repo
from tuneline.registry.deployments import service as deployments_service
from tuneline.registry.deployments.service import Outcome, ServingContext
from tuneline.registry.exports import service as exports_service
from tuneline.registry.keys import service as keys_service
from tuneline.registry.keys.tables import ApiKeyRow
from tuneline.registry.models import access as models_access
from tuneline.registry.models import repository as models_repo
from tuneline.registry.models import service as models_service
from tuneline.registry.models.tables import ModelRow, VersionRow
from tuneline.registry.openai_gateway import repository as openai_repo
from tuneline.registry.openai_gateway import service as gateway_service
from tuneline.registry.openai_gateway.release import SERVING
from tuneline.registry.openai_gateway.tables import OpenAIJobRow

log = structlog.get_logger(__name__)


async def evaluation_completed(
    session: AsyncSession, ctx: ServingContext, event: EvaluationCompleted, producer: str
) -> None:
    """Register the evaluated version, then serve it if an OpenAI fine-tuning job waits for it."""
    if await erasure.erased_among(session, [event.dataset_version_id]):
        log.info("registry.evaluation.erased_data", evaluation_id=str(event.evaluation_id))
        return  # dataset.erased overtook it (another topic): a model of erased data is never registered
    await models_service.register_from_evaluation(session, event, producer)
    await _release_registered(session, ctx, event)


async def alert_raised(session: AsyncSession, ctx: ServingContext, event: AlertRaised) -> Outcome | None:
    """A canary alert rolls the canary back (no-op for other alerts)."""
    return await deployments_service.rollback_on_alert(session, ctx, event)


async def review(
    session: AsyncSession,
    ctx: ServingContext,
    name: str,
    version: int,
    *,
    reviewer: str,
    approved: bool,
    comment: str,
) -> None:
    """Record a reviewer's verdict; a fine-tune started through the OpenAI API waits for this approval to be served."""
    await models_service.record_review(session, name, version, reviewer, approved, comment)
    await _release_reviewed(session, ctx, name, version, approved)


async def usecase_retired(session: AsyncSession, ctx: ServingContext, event: UseCaseRetired) -> None:
    """A retired use case's models stop serving and the keys bound to it are revoked. Both commit first; serving
    learns them from the reconciler, which retries until applied."""
    actor = f"{event.retired_by} (use case retired)"
    await deployments_service.lock_serving(session)
    stopped = await deployments_service.stop_for_usecase(session, ctx, event.usecase_id, actor)
    revoked = await keys_service.revoke_bound_to(session, event.usecase_id, actor, event.reason)
    if stopped or revoked:
        await deployments_service.serving_changed(session)
    log.info("registry.usecase.retired", usecase_id=str(event.usecase_id), stopped=stopped, revoked=revoked)


async def dataset_erased(
    session: AsyncSession, ctx: ServingContext, store: ObjectStore, event: DatasetErased, producer: str
) -> dict[str, int] | None:
    """The model versions trained on the erased dataset versions stop serving (the stop path: committed first, the
    reconciler applies it), move to archived with the reason, and lose their adapters; the OpenAI files that became
    the erased versions go. Acknowledged once (None for a repeat); the acknowledgement names the model versions, so
    monitoring erases their logged requests."""
    if await erasure.applied(session, event.erasure_id):
        return None
    actor = f"{event.requested_by} (dataset erased)"
    reason = f"dataset erased (erasure {event.erasure_id}): {event.reason}"
    versions = await models_repo.versions_on_datasets(session, list(event.version_ids))
    ids = {v.id for v in versions}
    await deployments_service.lock_serving(session)
    stopped, canaries = await deployments_service.stop_serving_versions(session, ctx, ids, actor, "dataset erased")
    if stopped or canaries:
        await deployments_service.serving_changed(session)
    archived = await models_service.archive_versions(session, versions, actor, reason, producer)
    objects = 0
    for uri in {v.adapter_uri for v in versions if v.adapter_uri}:
        try:
            key = store.key_from_uri(uri)
        except StorageError:
            log.warning("registry.erasure.foreign_adapter", uri=uri)  # another store's: training deletes it
            continue
        objects += await erasure.delete_prefix(store, key.rstrip("/") + "/")
    exported = await exports_service.erase_for_versions(session, store, ids, reason)
    files = await gateway_service.forget_files_of(
        session, store, event.dataset_id, list(event.version_ids), event.whole_dataset
    )
    counts = {"model_versions": len(versions), "archived": len(archived), "deployments_stopped": len(stopped)}
    counts["canaries_removed"] = len(canaries)
    counts.update(adapter_objects=objects, export_objects=exported, openai_files=files)
    await audit(
        session,
        actor,
        "registry.dataset.erased",
        "dataset",
        event.dataset_id,
        erasure_id=str(event.erasure_id),
        model_versions=[str(i) for i in ids],
        stopped=stopped,
        canaries_removed=canaries,
    )
    await erasure.acknowledge(session, event, service=producer, counts=counts, model_version_ids=sorted(ids, key=str))
    log.info("registry.dataset.erased", erasure_id=str(event.erasure_id), **counts)
    return counts


async def model_card(session: AsyncSession, name: str, version: int) -> str:
    """The version's model card, listing its completed exports with their verification."""
    loaded = await models_service.load(session, name)
    if version not in loaded.versions:
        raise NotFound(f"model {name!r} has no version {version}")
    exports = await exports_service.card_entries(session, loaded.row_of(version).id)
    return await models_service.card(session, name, version, tuple(exports))


async def create_key(
    session: AsyncSession,
    ctx: ServingContext,
    *,
    actor: Principal,
    name: str,
    models: list[str],
    requests_per_minute: int,
    expires_at: datetime | None,
    pepper: bytes,
    fine_tuning_roles: frozenset[str],
    usecase_id: UUID | None = None,
) -> tuple[ApiKeyRow, str]:
    """Issue a key owned by `actor`, in its team; serving learns it before the answer when it is healthy (the key
    works as soon as the caller has it), else from the reconciler once it recovers: the key is issued either way.

    A key may only name models of its creator's team (an admin's: any), and be bound only to a use case whose
    models are the team's: another team's model is refused (403, audited) and so is a name the registry does not
    know, which could later become another team's model."""
    await _ensure_key_scope(session, actor, models, usecase_id)
    await deployments_service.lock_serving(session)
    row, plaintext = await keys_service.create(
        session,
        name=name,
        owner=actor.subject,
        models=models,
        requests_per_minute=requests_per_minute,
        expires_at=expires_at,
        pepper=pepper,
        fine_tuning_roles=fine_tuning_roles,
        team=actor.team,
        usecase_id=usecase_id,
    )
    await deployments_service.serving_changed(session)
    await deployments_service.push_now(session, ctx)
    return row, plaintext


async def revoke_key(session: AsyncSession, prefix: str, actor: Principal) -> ApiKeyRow:
    """Revoke a key. The revocation commits whatever state serving is in; the reconciler then pushes the key set
    (the route wakes it after the commit) and retries until serving has applied it."""
    await deployments_service.lock_serving(session)
    row = await keys_service.revoke(session, prefix, actor)
    await deployments_service.serving_changed(session)
    return row


async def set_policy(session: AsyncSession, name: str, changes: dict[str, Any], actor: str) -> ModelRow:
    """Change a model's policy; routers learn `log_prompts` through the reconciler after the commit."""
    row = await models_service.set_policy(session, name, changes, actor)
    await deployments_service.lock_serving(session)
    await deployments_service.serving_changed(session)
    return row


async def _ensure_key_scope(
    session: AsyncSession, actor: Principal, models: list[str], usecase_id: UUID | None
) -> None:
    for name in models:
        row = await models_repo.get_model(session, name)
        if row is None:
            if Role.ADMIN in actor.roles:
                continue  # an admin may prepare a key for a model still to come
            raise InvalidInput(f"model {name!r} is not registered; a key names registered models only", field="models")
        models_access.ensure_can(actor, row, "scope a key to", (Role.ML_ENGINEER,))
    if usecase_id is not None:
        for row in await models_repo.models_of_usecase(session, usecase_id):
            models_access.ensure_can(actor, row, "bind a key to the use case of", (Role.ML_ENGINEER,))


async def _release_registered(session: AsyncSession, ctx: ServingContext, event: EvaluationCompleted) -> None:
    """Serve the version of an OpenAI job that the gate passed (no-op for every other version)."""
    job = await openai_repo.job_for_training_job(session, event.job_id)
    if job is None or not event.passed:
        return
    version_row = await models_repo.version_by_evaluation(session, event.evaluation_id)
    model_row = await models_repo.get_model_by_id(session, version_row.model_id) if version_row else None
    if version_row is None or model_row is None:
        return
    await _serve(session, ctx, job, model_row, version_row)


async def _release_reviewed(session: AsyncSession, ctx: ServingContext, name: str, number: int, approved: bool) -> None:
    """A reviewer approved the version of an OpenAI job that waited for review: serve it now (no-op otherwise)."""
    model_row = await models_repo.get_model(session, name)
    if not approved or model_row is None:
        return
    version_row = await models_repo.version_of(session, model_row.id, number)
    if version_row is None or version_row.job_id is None:
        return
    job = await openai_repo.job_for_training_job(session, version_row.job_id)
    evaluation = models_repo.evaluation_of(version_row)
    if job is None or evaluation is None or not evaluation.passed:
        return
    await _serve(session, ctx, job, model_row, version_row)


async def _serve(
    session: AsyncSession, ctx: ServingContext, job: OpenAIJobRow, model_row: ModelRow, version_row: VersionRow
) -> None:
    """Deploy (or blue/green onto the live deployment) and widen the creating key's scope to the model."""
    name, number = model_row.name, version_row.version
    current = await deployments_repo.for_model(session, model_row.id)
    try:
        async with session.begin_nested():
            if current is None or current.status not in SERVING:
                outcome = await deployments_service.deploy(session, ctx, name, number, None, actor=job.owner)
            else:
                outcome = await deployments_service.blue_green(session, ctx, name, number, actor=job.owner)
    except DomainError as exc:  # e.g. the version waits for a human review before production
        log.info("registry.openai.release.waiting", job_id=job.id, model=name, version=number, reason=str(exc))
        return
    if not outcome.applied:  # the deployment row says why; the job reports it as its error
        log.warning("registry.openai.release.failed", job_id=job.id, model=name, version=number, detail=outcome.detail)
        return
    if job.key_prefix is not None and await keys_service.add_model(session, job.key_prefix, name) is not None:
        # the routers learn the key's wider scope now, or from the reconciler when serving refuses it
        await deployments_service.lock_serving(session)
        await deployments_service.serving_changed(session)
        await deployments_service.push_now(session, ctx)
    log.info("registry.openai.release.served", job_id=job.id, model=name, version=number)
