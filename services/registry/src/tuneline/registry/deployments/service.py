"""The rules for deployments: deploy, canary weight, full promotion, rollback, blue/green, stop.

Each operation computes the new traffic plan (and any lifecycle change) in memory, applies the complete desired
set of applications to the serving runtime, and only when that succeeded stores the lifecycle change and emits
its events. When the runtime refuses (a version fails to load, a replica cannot start), nothing moves: the plan
that served keeps serving, the lifecycle is unchanged, and `deployment.updated` reports the failure and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.auth import audit
from tuneline.common.base_models import is_encoder_reference
from tuneline.common.errors import Conflict, InvalidInput, NotFound
from tuneline.common.events import (
    DEPLOYMENT_UPDATED,
    MODEL_ROLLED_BACK,
    AlertRaised,
    DeploymentUpdated,
    ModelRolledBack,
    utcnow,
)
from tuneline.common.messaging import add_event
from tuneline.common.observability import link_current_span
from tuneline.common.storage import ObjectStore
from tuneline.registry.deployments import repository as repo
from tuneline.registry.deployments.artifacts import ArtifactRef, adapter_ref, base_model_ref
from tuneline.registry.deployments.plan import PlanError, TrafficPlan, VersionRef
from tuneline.registry.deployments.runtime import AppHealth, DeploymentFailed, ServingRuntime
from tuneline.registry.deployments.tables import DeploymentRow, ServingSyncRow
from tuneline.registry.keys import repository as keys_repo
from tuneline.registry.models import repository as models_repo
from tuneline.registry.models import service as models_service
from tuneline.registry.models.lifecycle import CANARY_ALIAS, Stage
from tuneline.registry.models.repository import Loaded
from tuneline.registry.serving.spec import (
    AppSpec,
    Autoscaling,
    BuildArgs,
    DeploymentOptions,
    KeySpec,
    Pricing,
    RouterConfig,
    ServerConfig,
    SinkSpec,
    StoreSpec,
)
from tuneline.registry.settings import RegistrySettings

log = structlog.get_logger(__name__)

_T = TypeVar("_T")

#: Statuses of deployments that are part of the desired set handed to the runtime.
SERVING = ("deploying", "healthy", "degraded")


@dataclass
class ServingContext:
    settings: RegistrySettings
    runtime: ServingRuntime
    store: ObjectStore


@dataclass(frozen=True)
class Outcome:
    row: DeploymentRow
    applied: bool
    detail: str | None = None


Mutation = Callable[[Loaded, TrafficPlan | None], TrafficPlan]


# ---- operations ------------------------------------------------------------------------------------------------


async def deploy(
    session: AsyncSession, ctx: ServingContext, name: str, version: int, canary_weight: float | None, actor: str
) -> Outcome:
    """First deployment (or redeploy after a stop/failure): `version` takes all traffic, promoted to production
    if it is in staging. On a serving deployment: `version` starts as the canary with `canary_weight`."""

    def mutate(loaded: Loaded, plan: TrafficPlan | None) -> TrafficPlan:
        ref = _ref(loaded, version)
        if plan is None:
            if canary_weight is not None:
                raise Conflict(f"model {name!r} is not deployed yet; deploy a version without a canary weight first")
            if loaded.model.get(version).stage is not Stage.PRODUCTION:
                with models_service.domain_errors():
                    loaded.model.transition(version, Stage.PRODUCTION, utcnow(), actor, "deployed")
            else:  # redeploying after a stop: the policy may have tightened since it last served
                _require_servable(loaded, version, "serve")
            return TrafficPlan.initial(ref)
        if canary_weight is None:
            raise Conflict(
                f"model {name!r} is deployed; give canary_weight to start version {version} as a canary, "
                "or use blue-green to switch all traffic",
                field="canary_weight",
            )
        mv = loaded.model.get(version)
        if mv.stage is not Stage.STAGING:
            reason = f"version {version} is in {mv.stage.value}, a canary must be in staging"
            raise Conflict(f"version {version} cannot serve as a canary: {reason}", reasons=[reason])
        # the same gate as production: a canary at weight 1.0 is production by another name
        _require_servable(loaded, version, "serve as a canary")
        with models_service.domain_errors():
            loaded.model.set_alias(CANARY_ALIAS, version)
        return _plan_op(lambda: plan.start_canary(ref, canary_weight))

    return await _change(session, ctx, name, actor, "deploy", mutate)


async def set_weight(session: AsyncSession, ctx: ServingContext, name: str, weight: float, actor: str) -> Outcome:
    def mutate(loaded: Loaded, plan: TrafficPlan | None) -> TrafficPlan:
        current = _deployed(plan, name)
        if current.canary is not None and weight > current.canary_weight:  # a verdict or the policy changed since
            _require_servable(loaded, current.canary.version, "take more canary traffic")
        return _plan_op(lambda: current.set_canary_weight(weight))

    return await _change(session, ctx, name, actor, "set_weight", mutate)


async def promote(session: AsyncSession, ctx: ServingContext, name: str, actor: str) -> Outcome:
    """The canary takes all traffic and becomes the production version (the old one is deprecated, kept warm)."""

    def mutate(loaded: Loaded, plan: TrafficPlan | None) -> TrafficPlan:
        current = _deployed(plan, name)
        new_plan = _plan_op(current.promote)
        with models_service.domain_errors():
            loaded.model.transition(new_plan.stable.version, Stage.PRODUCTION, utcnow(), actor, "canary promoted")
        return new_plan

    return await _change(session, ctx, name, actor, "promote", mutate)


async def blue_green(session: AsyncSession, ctx: ServingContext, name: str, version: int, actor: str) -> Outcome:
    """All traffic switches to `version` in one step (promoted to production); the old one stays warm."""

    def mutate(loaded: Loaded, plan: TrafficPlan | None) -> TrafficPlan:
        new_plan = _plan_op(lambda: _deployed(plan, name).blue_green(_ref(loaded, version)))
        if loaded.model.get(version).stage is not Stage.PRODUCTION:
            with models_service.domain_errors():
                loaded.model.transition(version, Stage.PRODUCTION, utcnow(), actor, "blue/green switch")
        return new_plan

    return await _change(session, ctx, name, actor, "blue_green", mutate)


async def rollback(session: AsyncSession, ctx: ServingContext, name: str, actor: str, reason: str) -> Outcome:
    """Undo the last traffic move: drop the canary, or return production to the previous version."""
    moved: dict[str, VersionRef] = {}

    def mutate(loaded: Loaded, plan: TrafficPlan | None) -> TrafficPlan:
        current = _deployed(plan, name)
        new_plan, moved["from"], moved["to"] = _plan_op(current.rollback)
        if current.canary is not None:
            if loaded.model.aliases.get(CANARY_ALIAS) == moved["from"].version:
                loaded.model.remove_alias(CANARY_ALIAS)
        else:
            with models_service.domain_errors():
                loaded.model.transition(moved["to"].version, Stage.PRODUCTION, utcnow(), actor, f"rollback: {reason}")
        return new_plan

    outcome = await _change(session, ctx, name, actor, "rollback", mutate)
    if outcome.applied:
        loaded = await models_service.load(session, name)
        await add_event(
            session,
            MODEL_ROLLED_BACK,
            ModelRolledBack(
                producer=ctx.settings.service_name,
                usecase_id=_usecase(loaded),
                model_id=loaded.row.id,
                name=name,
                from_version_id=UUID(moved["from"].version_id),
                to_version_id=UUID(moved["to"].version_id),
                reason=reason,
                team=loaded.row.team,
            ),
        )
    return outcome


async def stop(session: AsyncSession, ctx: ServingContext, name: str, actor: str) -> Outcome:
    loaded = await models_service.load(session, name, lock=True)
    await repo.lock_serving(session)
    row = await repo.for_model(session, loaded.row.id, lock=True)
    if row is None or row.status == "stopped":
        raise NotFound(f"model {name!r} is not deployed")
    previous_status = row.status
    row.status = "stopped"
    try:
        await ctx.runtime.apply(await desired_apps(session, ctx))
    except DeploymentFailed as exc:
        row.status = previous_status
        raise Conflict(f"could not stop {name!r}: {exc.detail}") from exc
    await repo.mark_applied(session)
    row.updated_at = utcnow()
    await _announce(session, ctx, loaded, row, "stopped", None)
    await audit(session, actor, "deployment.stopped", "deployment", row.id)
    return Outcome(row, True)


async def stop_for_usecase(session: AsyncSession, ctx: ServingContext, usecase_id: UUID, actor: str) -> list[str]:
    """Take every serving deployment of the use case's models out of the desired set (the use case was retired).
    The change commits first: the reconciler applies it, retrying until serving has. Callers hold the serving lock."""
    stopped = []
    for model in await models_repo.models_of_usecase(session, usecase_id):
        row = await repo.for_model(session, model.id, lock=True)
        if row is None or row.status == "stopped":
            continue
        loaded = await models_service.load(session, model.name)
        row.status = "stopped"
        row.updated_at = utcnow()
        await _announce(session, ctx, loaded, row, "stopped", None)
        await audit(session, actor, "deployment.stopped", "deployment", row.id, reason="use case retired")
        stopped.append(model.name)
    return stopped


async def stop_serving_versions(
    session: AsyncSession, ctx: ServingContext, version_ids: set[UUID], actor: str, reason: str
) -> tuple[list[str], list[str]]:
    """Take `version_ids` out of serving and forget one as the target of a rollback. A deployment whose stable
    version is one of them stops; one where only the canary is loses the canary (all traffic back to its stable
    version, which keeps serving). As for a retired use case, the change commits first and the reconciler applies
    it, retrying until serving has. Callers hold the serving lock. Returns (models stopped, models whose canary
    was removed)."""
    stopped: list[str] = []
    canaries_removed: list[str] = []
    for row in await repo.active(session):
        if row.previous_version_id in version_ids:
            row.previous_version_id = None
        if row.status == "stopped" or not ({row.stable_version_id, row.canary_version_id} & version_ids):
            continue
        model = await models_repo.get_model_by_id(session, row.model_id)
        if model is None:  # pragma: no cover - deployments belong to models
            continue
        loaded = await models_service.load(session, model.name)
        locked = await repo.for_model(session, model.id, lock=True)
        assert locked is not None
        locked.updated_at = utcnow()
        if locked.stable_version_id not in version_ids:
            locked.canary_version_id = None
            locked.canary_weight = 0.0
            await _announce(session, ctx, loaded, locked, locked.status, f"canary removed: {reason}")
            await audit(session, actor, "deployment.canary_removed", "deployment", locked.id, reason=reason)
            canaries_removed.append(model.name)
            continue
        locked.status = "stopped"
        await _announce(session, ctx, loaded, locked, "stopped", reason)
        await audit(session, actor, "deployment.stopped", "deployment", locked.id, reason=reason)
        stopped.append(model.name)
    return stopped, canaries_removed


async def rollback_on_alert(session: AsyncSession, ctx: ServingContext, event: AlertRaised) -> Outcome | None:
    """Monitoring asked for a canary rollback: honoured when the model's policy allows it and a canary serves."""
    if event.action != "rollback_canary":
        return None
    model = await models_repo.get_model(session, event.model_name)
    if model is None:
        log.info("registry.alert.ignored", reason="unknown model", model=event.model_name, alert_id=str(event.alert_id))
        return None
    if not models_repo.policy_of(model).auto_rollback:
        log.info("registry.alert.ignored", reason="auto_rollback off", model=model.name, alert_id=str(event.alert_id))
        return None
    row = await repo.for_model(session, model.id)
    if row is None or row.canary_version_id is None or row.status not in SERVING:
        log.info("registry.alert.ignored", reason="no canary serving", model=model.name, alert_id=str(event.alert_id))
        return None
    if event.version_id is not None and event.version_id != row.canary_version_id:
        log.info("registry.alert.ignored", reason="alert is about another version", model=model.name)
        return None
    return await rollback(session, ctx, model.name, "monitoring", f"alert {event.rule}: {event.message}")


async def lock_serving(session: AsyncSession) -> None:
    """Take the serving lock before changing what serving must learn (key sets, policies): see repository."""
    await repo.lock_serving(session)


async def serving_changed(session: AsyncSession) -> None:
    """A change in this transaction (a key, a policy) must reach serving: recorded for the reconciler, which
    applies it after the commit. Callers hold the serving lock (`lock_serving`) since before their change."""
    await repo.request_sync(session)


async def push_now(session: AsyncSession, ctx: ServingContext) -> bool:
    """Best effort: apply the desired set within this transaction so a new key works when its creator gets it.
    A refusal changes nothing here (the change still commits) and leaves the work to the reconciler."""
    try:
        await _apply_desired(session, ctx)
    except Exception as exc:  # a runtime refusal or an unreachable Ray: the reconciler retries after the commit
        log.warning("registry.serving.push_deferred", error=f"{type(exc).__name__}: {exc}")
        return False
    return True


async def reconcile(session: AsyncSession, ctx: ServingContext, *, force: bool = False) -> ServingSync:
    """Apply the desired set when serving is behind (or always, with `force`: at start). A refusal is recorded
    (attempts, `last_error` in the answer), so the caller backs off; the transaction commits either way."""
    await repo.lock_serving(session)
    state = await repo.sync_state(session)
    if force or state.applied_revision < state.desired_revision:
        try:
            await _apply_desired(session, ctx)
        except Exception as exc:  # a refusal or an unreachable runtime alike: retried with backoff
            await repo.record_sync_failure(session, f"{type(exc).__name__}: {exc}")
    return sync_status(state)


@dataclass(frozen=True)
class ServingSync:
    """How far serving is behind the stored desired state."""

    desired_revision: int
    applied_revision: int
    lag_s: float  # age of the oldest change serving has not applied (0 when none)
    attempts: int
    last_error: str | None
    applied_at: datetime | None
    last_attempt_at: datetime | None

    @property
    def in_sync(self) -> bool:
        return self.applied_revision >= self.desired_revision


def sync_status(row: ServingSyncRow) -> ServingSync:
    pending = row.applied_revision < row.desired_revision and row.pending_since is not None
    return ServingSync(
        desired_revision=row.desired_revision,
        applied_revision=row.applied_revision,
        lag_s=(utcnow() - row.pending_since).total_seconds() if pending and row.pending_since else 0.0,
        attempts=row.attempts,
        last_error=row.last_error,
        applied_at=row.applied_at,
        last_attempt_at=row.last_attempt_at,
    )


async def read_sync(session: AsyncSession) -> ServingSync:
    return sync_status(await repo.sync_state(session))


async def _apply_desired(session: AsyncSession, ctx: ServingContext) -> None:
    """Hand the runtime the complete desired set and record it applied. An empty set is applied too: stopping
    (or erasing, or retiring) the last served model must take it off serving; the runtime itself knows when
    there is nothing running that an empty set would change."""
    await ctx.runtime.apply(await desired_apps(session, ctx))
    await repo.mark_applied(session)


async def view(session: AsyncSession, ctx: ServingContext, name: str) -> dict[str, Any]:
    loaded = await models_service.load(session, name)
    row = await repo.for_model(session, loaded.row.id)
    if row is None:
        raise NotFound(f"model {name!r} has never been deployed")
    health = (await ctx.runtime.health()).get(name) if row.status in SERVING else None
    return describe(loaded, row, health)


def describe(loaded: Loaded, row: DeploymentRow, health: AppHealth | None) -> dict[str, Any]:
    number = _numbers(loaded)
    return {
        "model": loaded.row.name,
        "deployment_id": row.id,
        "status": row.status,
        "detail": row.detail,
        "endpoint": row.endpoint,
        "stable_version": number.get(row.stable_version_id),
        "canary_version": number.get(row.canary_version_id) if row.canary_version_id else None,
        "canary_weight": row.canary_weight,
        "previous_version": number.get(row.previous_version_id) if row.previous_version_id else None,
        "updated_at": row.updated_at,
        "health": None
        if health is None
        else {
            "status": health.status,
            "message": health.message,
            "deployments": health.deployments,
            "failed_versions": health.failed_versions,
        },
    }


# ---- the one way a deployment changes --------------------------------------------------------------------------


async def _change(
    session: AsyncSession, ctx: ServingContext, name: str, actor: str, action: str, mutate: Mutation
) -> Outcome:
    loaded = await models_service.load(session, name, lock=True)
    await repo.lock_serving(session)
    row = await repo.for_model(session, loaded.row.id, lock=True)
    serving = row is not None and row.status in SERVING
    before = _snapshot(row) if row is not None else None
    new_plan = mutate(loaded, plan_of(row, loaded) if serving and row is not None else None)
    for ref in (new_plan.stable, new_plan.canary):  # a release continues the story of the versions it serves
        if ref is not None:
            link_current_span(ref.traceparent)
    if row is None:
        row = DeploymentRow(model_id=loaded.row.id, stable_version_id=UUID(new_plan.stable.version_id))
        await repo.add(session, row)
    _write_plan(row, new_plan)
    row.status = "deploying"
    try:
        apps = await desired_apps(session, ctx)
        health = await ctx.runtime.apply(apps)
    except (DeploymentFailed, Conflict) as exc:
        detail = exc.detail if isinstance(exc, DeploymentFailed) else str(exc)
        if serving and before is not None:
            _restore(row, before)
            await _reapply_quietly(session, ctx)
        else:
            row.status = "failed"
        row.detail = f"{action} failed: {detail}"
        row.updated_at = utcnow()
        await _announce(session, ctx, loaded, row, "failed", row.detail)
        await audit(session, actor, f"deployment.{action}_failed", "deployment", row.id)
        log.warning("registry.deployment.failed", model=name, action=action, detail=detail)
        return Outcome(row, False, row.detail)
    await repo.mark_applied(session)  # the complete set went out, pending key changes included
    app_health = health.get(name)
    row.status = "healthy" if app_health is None or app_health.healthy else "degraded"
    row.detail = app_health.message if app_health and app_health.message else None
    row.endpoint = ctx.runtime.endpoint(name)
    row.updated_at = utcnow()
    await models_service.save_and_publish(session, loaded, ctx.settings.service_name)
    await _announce(session, ctx, loaded, row, row.status, row.detail)
    await audit(session, actor, f"deployment.{action}", "deployment", row.id, canary_weight=row.canary_weight)
    log.info("registry.deployment.applied", model=name, action=action, canary_weight=row.canary_weight)
    return Outcome(row, True)


async def desired_apps(session: AsyncSession, ctx: ServingContext) -> list[AppSpec]:
    """The complete set of applications that should serve, built from stored deployments (flushed changes
    of this transaction included)."""
    await session.flush()
    apps = []
    for row in await repo.active(session):
        model = await models_repo.get_model_by_id(session, row.model_id)
        assert model is not None
        loaded = await models_repo.load(session, model)
        apps.append(await _app_spec(session, ctx, loaded, row))
    return apps


async def _app_spec(session: AsyncSession, ctx: ServingContext, loaded: Loaded, row: DeploymentRow) -> AppSpec:
    s = ctx.settings
    refs: dict[UUID, ArtifactRef | None] = {}
    for vid in (row.stable_version_id, row.canary_version_id, row.previous_version_id):
        if vid is not None:
            uri = loaded.row_of(loaded.number_of(vid)).adapter_uri
            refs[vid] = await adapter_ref(uri, ctx.store, s.adapter_cache_dir) if uri else None
    plan = plan_of(row, loaded, {vid: ref.uri if ref else None for vid, ref in refs.items()})
    keys = [KeySpec.of(k.domain()) for k in await keys_repo.for_model(session, loaded.row.name)]
    pins = {ref.uri: ref.sha256 for ref in refs.values() if ref is not None}
    warm = [w.model_copy(update={"sha256": pins.get(w.adapter_uri or "", {})}) for w in plan.warm()]
    base = await base_model_ref(
        loaded.row.base_model, s.base_model_map(), s.model_cache_dir, ctx.store, s.adapter_cache_dir
    )
    return AppSpec(
        build=BuildArgs(
            model_name=loaded.row.name,
            base_model_path=base.uri,
            base_model_sha256=base.sha256,
            torch_threads=s.serve_torch_threads,
            max_batch=s.serve_max_batch,
            max_new_tokens=s.max_new_tokens,
            adapter_cache_dir=s.replica_cache_dir,  # None: each replica's node uses its own model cache
            store=_store_spec(s),
            sink=_sink(s),
        ),
        router=RouterConfig(
            arms=plan.arms(),
            keys=keys,
            log_prompts=models_repo.policy_of(loaded.row).log_prompts,
            pricing=Pricing(input_per_1k=s.price_input_per_1k, output_per_1k=s.price_output_per_1k),
            model_kind=model_kind(loaded.row.base_model, s.base_model_map()),
        ),
        server=ServerConfig(warm=warm, max_loaded=max(s.max_loaded_versions, len(warm))),
        router_options=gateway_options(s),
        server_options=pool_options(s),
    )


def model_kind(base_model: str, directories: dict[str, str]) -> Literal["causal", "encoder"]:
    """ "encoder" when the base model is a BERT-style encoder (its versions are classifiers), else "causal"."""
    for reference in (base_model, directories.get(base_model, base_model)):
        if is_encoder_reference(reference):
            return "encoder"
    return "causal"


def pool_options(s: RegistrySettings) -> DeploymentOptions:
    """How every base-model pool runs: replicas (or autoscaling bounds) and the resources each replica reserves."""
    autoscaling = None
    if s.serve_pool_max_replicas is not None:
        autoscaling = Autoscaling(
            min_replicas=s.model_replicas,
            max_replicas=max(s.model_replicas, s.serve_pool_max_replicas),
            target_ongoing_requests=s.serve_pool_target_ongoing_requests,
        )
    return DeploymentOptions(
        num_replicas=s.model_replicas,
        num_cpus=s.serve_pool_num_cpus,
        num_gpus=s.serve_pool_num_gpus,
        resources=s.pool_resources(),
        max_ongoing_requests=s.serve_max_ongoing_requests,
        autoscaling=autoscaling,
    )


def gateway_options(s: RegistrySettings) -> DeploymentOptions:
    return DeploymentOptions(
        num_replicas=s.serve_gateway_replicas,
        num_cpus=s.serve_gateway_num_cpus,
        max_ongoing_requests=s.serve_max_ongoing_requests,
    )


def plan_of(row: DeploymentRow, loaded: Loaded, local: dict[UUID, str | None] | None = None) -> TrafficPlan:
    def ref(version_id: UUID | None) -> VersionRef | None:
        if version_id is None:
            return None
        number = loaded.number_of(version_id)
        version_row = loaded.row_of(number)
        uri = local[version_id] if local is not None else version_row.adapter_uri
        return VersionRef(
            number,
            str(version_id),
            uri,
            traceparent=version_row.trace_context,
            prompt_template=version_row.prompt_template,
        )

    stable = ref(row.stable_version_id)
    assert stable is not None
    return TrafficPlan(
        stable=stable,
        canary=ref(row.canary_version_id),
        canary_weight=row.canary_weight if row.canary_version_id else 0.0,
        previous=ref(row.previous_version_id),
    )


# ---- helpers ---------------------------------------------------------------------------------------------------


def _store_spec(s: RegistrySettings) -> StoreSpec | None:
    """Replicas reach the object store only for remote URIs; a file:// store is read in place."""
    if not s.object_store_url.startswith("s3://"):
        return None
    return StoreSpec(
        url=s.object_store_url,
        endpoint=s.s3_endpoint,
        access_key=s.s3_access_key.get_secret_value() if s.s3_access_key else None,
        secret_key=s.s3_secret_key.get_secret_value() if s.s3_secret_key else None,
        secure=s.s3_secure,
        region=s.s3_region,
    )


def _sink(settings: RegistrySettings) -> SinkSpec:
    if settings.inference_sink == "kafka":
        return SinkSpec(
            kind="import",
            target="tuneline.registry.serving.kafka_sink:KafkaInferenceSink",
            options={
                "bootstrap_servers": settings.kafka_bootstrap_servers,
                "producer": settings.service_name,
                "max_pending": settings.inference_log_max_pending,
                "retention_s": settings.inference_log_retention_s,
                "broker_check_interval_s": settings.broker_check_interval_s,
            },
        )
    return SinkSpec(kind="log")


def _ref(loaded: Loaded, version: int) -> VersionRef:
    if version not in loaded.versions:
        raise NotFound(f"model {loaded.row.name!r} has no version {version}")
    row = loaded.row_of(version)
    return VersionRef(
        version, str(row.id), row.adapter_uri, traceparent=row.trace_context, prompt_template=row.prompt_template
    )


def _require_servable(loaded: Loaded, version: int, what: str) -> None:
    """The human-review gate (and a passing evaluation) before a version takes any traffic."""
    blockers = loaded.model.serving_blockers(version)
    if blockers:
        raise Conflict(f"version {version} cannot {what}: " + "; ".join(blockers), reasons=blockers)


def _deployed(plan: TrafficPlan | None, name: str) -> TrafficPlan:
    if plan is None:
        raise Conflict(f"model {name!r} is not deployed")
    return plan


def _plan_op(op: Callable[[], _T]) -> _T:
    try:
        return op()
    except PlanError as exc:
        raise Conflict(str(exc)) from exc


def _write_plan(row: DeploymentRow, plan: TrafficPlan) -> None:
    row.stable_version_id = UUID(plan.stable.version_id)
    row.canary_version_id = UUID(plan.canary.version_id) if plan.canary else None
    row.canary_weight = plan.canary_weight if plan.canary else 0.0
    row.previous_version_id = UUID(plan.previous.version_id) if plan.previous else None


def _snapshot(row: DeploymentRow) -> dict[str, Any]:
    fields = ("stable_version_id", "canary_version_id", "canary_weight", "previous_version_id", "status", "detail")
    return {f: getattr(row, f) for f in fields}


def _restore(row: DeploymentRow, snapshot: dict[str, Any]) -> None:
    for field, value in snapshot.items():
        setattr(row, field, value)


async def _reapply_quietly(session: AsyncSession, ctx: ServingContext) -> None:
    """After a refused change, put the runtime back on the stored state (it normally never left it)."""
    try:
        await ctx.runtime.apply(await desired_apps(session, ctx))
    except (DeploymentFailed, Conflict) as exc:
        log.error("registry.deployment.restore_failed", detail=str(exc))


async def _announce(
    session: AsyncSession, ctx: ServingContext, loaded: Loaded, row: DeploymentRow, status: str, detail: str | None
) -> None:
    await add_event(
        session,
        DEPLOYMENT_UPDATED,
        DeploymentUpdated(
            producer=ctx.settings.service_name,
            usecase_id=_usecase(loaded),
            model_id=loaded.row.id,
            deployment_id=row.id,
            name=loaded.row.name,
            stable_version_id=row.stable_version_id,
            canary_version_id=row.canary_version_id,
            canary_weight=row.canary_weight,
            status=status,
            endpoint=row.endpoint,
            detail=detail,
            replicas=0 if status == "stopped" else ctx.settings.model_replicas,
            stable_dataset_version_id=loaded.row_of(loaded.number_of(row.stable_version_id)).dataset_version_id,
            team=loaded.row.team,
        ),
    )


def _numbers(loaded: Loaded) -> dict[UUID | None, int]:
    return {r.id: n for n, r in loaded.versions.items()}


def _usecase(loaded: Loaded) -> UUID:
    if loaded.row.usecase_id is None:
        raise InvalidInput(f"model {loaded.row.name!r} has no use case; events need one")
    return loaded.row.usecase_id
