"""The rules for registered models: registration from evaluations, stage transitions, reviews, aliases, cards.

No SQL (repository), no commits (the request or message boundary commits), no HTTP. Every stage change emits
`model.promoted` through the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import KNOWN_ROLES, Scope
from tuneline.common.auth import Principal, Role, audit
from tuneline.common.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from tuneline.common.events import (
    MODEL_PROMOTED,
    MODEL_REGISTERED,
    EvaluationCompleted,
    ModelPromoted,
    ModelRegistered,
    utcnow,
)
from tuneline.common.messaging import add_event
from tuneline.common.observability import current_traceparent
from tuneline.common.records import PromptTemplate
from tuneline.common.storage import public_uri
from tuneline.registry.models import access
from tuneline.registry.models import repository as repo
from tuneline.registry.models.card import DatasetSummary, ExportSummary, ModelCardInput, render_model_card
from tuneline.registry.models.lifecycle import (
    EvaluationSummary,
    HumanReview,
    InvalidTransition,
    LifecycleError,
    Lineage,
    PromotionRefused,
    Stage,
    StageChange,
    UnknownVersion,
)
from tuneline.registry.models.tables import ModelRow, VersionRow


@contextmanager
def domain_errors() -> Iterator[None]:
    """Lifecycle refusals as the kernel's HTTP-mapped errors, keeping their reasons."""
    try:
        yield
    except InvalidTransition as exc:
        raise IllegalTransition(
            f"model version {exc.version}", exc.current.value, exc.target.value, [s.value for s in exc.allowed]
        ) from exc
    except PromotionRefused as exc:
        raise Conflict(str(exc), reasons=exc.reasons) from exc
    except UnknownVersion as exc:
        raise NotFound(str(exc)) from exc
    except LifecycleError as exc:
        raise Conflict(str(exc)) from exc


async def require_model(session: AsyncSession, name: str, *, lock: bool = False) -> ModelRow:
    row = await repo.get_model(session, name, lock=lock)
    if row is None:
        raise NotFound(f"model {name!r} is not registered")
    return row


async def load(session: AsyncSession, name: str, *, lock: bool = False) -> repo.Loaded:
    return await repo.load(session, await require_model(session, name, lock=lock))


async def authorise(
    session: AsyncSession, user: Principal, name: str, action: str, roles: tuple[Role, ...] = KNOWN_ROLES
) -> ModelRow:
    """The model `user` may `action` (404 when it does not exist, 403 audited when another team's): reads need a
    known role of the model's team, changes the route's roles in that team (tuneline.registry.models.access)."""
    row = await require_model(session, name)
    access.ensure_can(user, row, action, roles)
    return row


async def list_models(session: AsyncSession, scope: Scope, limit: int, offset: int) -> list[repo.Loaded]:
    """The models a listing may show: every team's for an admin or a service, else the caller's team's."""
    return [await repo.load(session, row) for row in await repo.list_models(session, limit, offset, scope=scope)]


async def register_from_evaluation(session: AsyncSession, event: EvaluationCompleted, producer: str) -> repo.Loaded:
    """A version per evaluation: staging when the evaluation passed, evaluation when it did not."""
    existing = await repo.version_by_evaluation(session, event.evaluation_id)
    if existing is not None:  # the same evaluation under a new event id: already registered
        model_row = await repo.get_model_by_id(session, existing.model_id)
        assert model_row is not None
        return await repo.load(session, model_row)
    row = await repo.get_model_for_usecase(session, event.usecase_id, event.base_model)
    if row is None:
        row = ModelRow(
            name=await _free_name(session, f"{event.task_type}-{event.usecase_id.hex[:8]}"),
            usecase_id=event.usecase_id,
            base_model=event.base_model,
            task_type=event.task_type,
            owner=producer,
            team=event.team,
            policy={"human_review_required": event.review_required, "auto_rollback": True, "log_prompts": False},
        )
        session.add(row)
        await session.flush()
    elif row.team is None and event.team is not None:
        row.team = event.team  # a model registered before teams learns its use case's team from its next version
    loaded = await repo.load(session, row)
    evaluation = EvaluationSummary(
        evaluation_id=str(event.evaluation_id),
        passed=event.passed,
        reasons=tuple(event.reasons),
        metrics_base=dict(event.metrics_base),
        metrics_tuned=dict(event.metrics_tuned),
        forgetting=dict(event.forgetting),
        review_required=event.review_required,
    )
    lineage = Lineage(
        base_model=event.base_model,
        adapter_uri=event.adapter_uri,
        usecase_id=str(event.usecase_id),
        job_id=str(event.job_id),
        dataset_version_id=str(event.dataset_version_id),
        method=event.method,
        hyperparameters=dict(event.hyperparameters),
    )
    stage = Stage.STAGING if event.passed else Stage.EVALUATION
    with domain_errors():
        mv = loaded.model.register(lineage, utcnow(), producer, stage, evaluation)
    await repo.save(session, loaded)
    version_row = loaded.row_of(mv.version)
    version_row.report_uri = event.report_uri
    version_row.trace_context = current_traceparent()  # its release and first served request link back to it
    version_row.prompt_template = event.prompt_template.model_dump(mode="json") if event.prompt_template else None
    await add_event(
        session,
        MODEL_REGISTERED,
        ModelRegistered(
            producer=producer,
            usecase_id=event.usecase_id,
            model_id=row.id,
            version_id=version_row.id,
            name=row.name,
            version=mv.version,
            stage=stage.value,
            job_id=event.job_id,
            evaluation_id=event.evaluation_id,
            team=row.team,
        ),
    )
    await audit(
        session, producer, "model.registered", "model_version", version_row.id, name=row.name, version=mv.version
    )
    return loaded


async def transition(
    session: AsyncSession, name: str, version: int, target: str, actor: str, reason: str, producer: str
) -> list[StageChange]:
    stage = _stage(target)
    loaded = await load(session, name, lock=True)
    with domain_errors():
        changes = loaded.model.transition(version, stage, utcnow(), actor, reason)
    await save_and_publish(session, loaded, producer)
    await audit(session, actor, "model.transitioned", "model", loaded.row.id, version=version, to=stage.value)
    return changes


async def save_and_publish(session: AsyncSession, loaded: repo.Loaded, producer: str) -> None:
    """Stores the aggregate and emits one model.promoted per stage change made since it was loaded."""
    changes = repo.unsaved_changes(loaded)
    await repo.save(session, loaded)
    for number, change in changes:
        if change.from_stage is None:
            continue  # registration, announced by model.registered
        await add_event(
            session,
            MODEL_PROMOTED,
            ModelPromoted(
                producer=producer,
                usecase_id=_usecase(loaded.row),
                model_id=loaded.row.id,
                version_id=loaded.row_of(number).id,
                name=loaded.row.name,
                version=number,
                from_stage=change.from_stage.value,
                to_stage=change.to_stage.value,
                promoted_by=change.actor,
                team=loaded.row.team,
            ),
        )


async def record_review(
    session: AsyncSession, name: str, version: int, reviewer: str, approved: bool, comment: str
) -> None:
    loaded = await load(session, name, lock=True)
    with domain_errors():
        loaded.model.record_review(version, HumanReview(reviewer, approved, utcnow(), comment))
    await repo.save(session, loaded)
    mv = loaded.model.versions[version]
    await audit(
        session,
        reviewer,
        "model.reviewed",
        "model",
        loaded.row.id,
        version=version,
        approved=approved,
        reviewers=len(mv.reviews),
        blockers=loaded.model.serving_blockers(version),
    )


async def set_alias(session: AsyncSession, name: str, alias: str, version: int, actor: str) -> None:
    loaded = await load(session, name, lock=True)
    with domain_errors():
        loaded.model.set_alias(alias, version)
    await repo.save(session, loaded)
    await audit(session, actor, "model.alias_set", "model", loaded.row.id, alias=alias, version=version)


async def remove_alias(session: AsyncSession, name: str, alias: str, actor: str) -> None:
    loaded = await load(session, name, lock=True)
    if alias not in loaded.model.aliases:
        raise NotFound(f"model {name!r} has no alias {alias!r}")
    with domain_errors():
        loaded.model.remove_alias(alias)
    await repo.save(session, loaded)
    await audit(session, actor, "model.alias_removed", "model", loaded.row.id, alias=alias)


async def set_policy(session: AsyncSession, name: str, changes: dict[str, Any], actor: str) -> ModelRow:
    """Change a model's governance policy. Who may is the route's business (admin); this records what changed,
    with the values before and after, in the audit log."""
    if not changes:
        raise InvalidInput("give at least one policy field to change", field="body")
    row = await require_model(session, name, lock=True)
    before = asdict(repo.policy_of(row))
    row.policy = {**row.policy, **changes}
    after = asdict(repo.policy_of(row))
    changed = sorted(k for k in after if after[k] != before[k])
    await audit(
        session,
        actor,
        "model.policy_changed",
        "model",
        row.id,
        model=name,
        changed=changed,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return row


async def set_card_details(session: AsyncSession, name: str, version: int, details: dict[str, Any], actor: str) -> None:
    loaded = await load(session, name, lock=True)
    if version not in loaded.versions:
        raise NotFound(f"model {name!r} has no version {version}")
    row = loaded.row_of(version)
    row.card_details = {**row.card_details, **details}
    await audit(session, actor, "model.card_updated", "model_version", row.id, fields=sorted(details))


async def card(session: AsyncSession, name: str, version: int, exports: tuple[ExportSummary, ...] = ()) -> str:
    """The version's model card; `exports` are its completed exports (the exports domain reads them)."""
    loaded = await load(session, name)
    if version not in loaded.versions:
        raise NotFound(f"model {name!r} has no version {version}")
    row, mv = loaded.row_of(version), loaded.model.versions[version]
    details = row.card_details
    dataset = details.get("dataset") or {}
    return render_model_card(
        ModelCardInput(
            name=loaded.row.name,
            version=version,
            stage=mv.stage,
            task_type=loaded.row.task_type,
            intended_use=details.get("intended_use") or f"The {loaded.row.task_type} use case {loaded.row.usecase_id}.",
            owner=details.get("owner") or loaded.row.owner,
            lineage=repo.lineage_of(row, loaded.row.usecase_id),
            dataset=DatasetSummary(
                dataset_version_id=str(row.dataset_version_id or "unknown"),
                record_counts=dict(dataset.get("record_counts", {})),
                schema=dict(dataset.get("schema", {})),
                pii_handling=dataset.get(
                    "pii_handling", "as configured for the use case (not reported to the registry)"
                ),
                pii_findings=dict(dataset.get("pii_findings", {})),
                quality_score=dataset.get("quality_score"),
            ),
            evaluation=mv.evaluation,
            created_at=row.created_at,
            license=details.get("license", "apache-2.0"),
            limitations=tuple(details.get("limitations", ())),
            review=mv.review,
            prompt_template=PromptTemplate.model_validate(row.prompt_template) if row.prompt_template else None,
            exports=exports,
        )
    )


async def lineage(session: AsyncSession, name: str, version: int) -> dict[str, Any]:
    loaded = await load(session, name)
    if version not in loaded.versions:
        raise NotFound(f"model {name!r} has no version {version}")
    row = loaded.row_of(version)
    history = await repo.stage_history(session, row.id)
    return {
        "model": loaded.row.name,
        "version": version,
        "version_id": row.id,
        "usecase_id": loaded.row.usecase_id,
        "base_model": row.base_model,
        "adapter_uri": public_uri(row.adapter_uri),
        "method": row.method,
        "job_id": row.job_id,
        "dataset_version_id": row.dataset_version_id,
        "evaluation_id": row.evaluation_id,
        "evaluation": row.evaluation,
        "report_uri": public_uri(row.report_uri),
        "hyperparameters": row.hyperparameters,
        "stage_history": [
            {"from": c.from_stage, "to": c.to_stage, "at": c.at, "actor": c.actor, "reason": c.reason} for c in history
        ],
    }


def _stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise InvalidInput(
            f"stage {value!r} is not one of: {', '.join(s.value for s in Stage)}", field="stage"
        ) from None


def _usecase(row: ModelRow) -> UUID:
    assert row.usecase_id is not None, "models are registered from evaluations, which carry a use case"
    return row.usecase_id


async def _free_name(session: AsyncSession, wanted: str) -> str:
    name, n = wanted, 1
    while await repo.get_model(session, name) is not None:
        n += 1
        name = f"{wanted}-{n}"
    return name


#: The way to archived from each stage (production must be deprecated first).
_TO_ARCHIVED: dict[Stage, tuple[Stage, ...]] = {
    Stage.PRODUCTION: (Stage.DEPRECATED, Stage.ARCHIVED),
    Stage.DEPRECATED: (Stage.ARCHIVED,),
    Stage.STAGING: (Stage.ARCHIVED,),
    Stage.EVALUATION: (Stage.ARCHIVED,),
    Stage.TRAINING: (Stage.ARCHIVED,),
    Stage.ARCHIVED: (),
}


async def archive_versions(
    session: AsyncSession, versions: list[VersionRow], actor: str, reason: str, producer: str
) -> list[VersionRow]:
    """Move each version to archived through the lifecycle (model.promoted for each step); its evaluation report
    link goes (the report was erased). Returns the versions that were not archived already."""
    moved: list[VersionRow] = []
    for model_id in sorted({v.model_id for v in versions}, key=str):
        model = await repo.get_model_by_id(session, model_id)
        if model is None:  # pragma: no cover - versions belong to models
            continue
        loaded = await load(session, model.name, lock=True)
        for row in (v for v in versions if v.model_id == model_id):
            path = _TO_ARCHIVED[loaded.model.get(row.version).stage]
            with domain_errors():
                for stage in path:
                    loaded.model.transition(row.version, stage, utcnow(), actor, reason)
            loaded.row_of(row.version).report_uri = None
            if path:
                moved.append(loaded.row_of(row.version))
        await save_and_publish(session, loaded, producer)
    return moved
