"""Every query for registered models, versions, stage history and aliases.

`load` rebuilds the `RegisteredModel` aggregate from rows (so the lifecycle rules run on the whole model) and
`save` writes back what the rules changed: version stages, new stage-history entries and the alias set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import Scope
from tuneline.common.events import utcnow
from tuneline.registry.models.lifecycle import (
    EvaluationSummary,
    HumanReview,
    Lineage,
    ModelPolicy,
    ModelVersion,
    RegisteredModel,
    Stage,
    StageChange,
)
from tuneline.registry.models.tables import AliasRow, ModelRow, StageChangeRow, VersionRow


@dataclass
class Loaded:
    """A model's rows and the aggregate built from them; `history_len` marks what is already stored."""

    row: ModelRow
    model: RegisteredModel
    versions: dict[int, VersionRow]
    history_len: dict[int, int]

    def row_of(self, version: int) -> VersionRow:
        return self.versions[version]

    def number_of(self, version_id: UUID) -> int:
        for number, row in self.versions.items():
            if row.id == version_id:
                return number
        raise KeyError(version_id)


async def get_model(session: AsyncSession, name: str, *, lock: bool = False) -> ModelRow | None:
    stmt = sa.select(ModelRow).where(ModelRow.name == name)
    if lock:
        stmt = stmt.with_for_update()  # one writer per model: rules read the whole aggregate
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_model_by_id(session: AsyncSession, model_id: UUID) -> ModelRow | None:
    return await session.get(ModelRow, model_id)


async def get_model_for_usecase(session: AsyncSession, usecase_id: UUID, base_model: str) -> ModelRow | None:
    stmt = sa.select(ModelRow).where(
        ModelRow.usecase_id == usecase_id,
        ModelRow.base_model == base_model,
    )
    return (await session.execute(stmt.with_for_update())).scalar_one_or_none()


async def models_of_usecase(session: AsyncSession, usecase_id: UUID) -> list[ModelRow]:
    stmt = sa.select(ModelRow).where(ModelRow.usecase_id == usecase_id).order_by(ModelRow.name)
    return list((await session.execute(stmt)).scalars())


async def list_models(session: AsyncSession, limit: int, offset: int, *, scope: Scope) -> list[ModelRow]:
    stmt = sa.select(ModelRow).order_by(ModelRow.name).limit(limit).offset(offset)
    if not scope.all_teams:
        # team-less models (registered before teams) have no owner: admins only
        stmt = stmt.where(ModelRow.team == scope.team) if scope.team is not None else stmt.where(sa.false())
    return list((await session.execute(stmt)).scalars().all())


async def version_by_evaluation(session: AsyncSession, evaluation_id: UUID) -> VersionRow | None:
    stmt = sa.select(VersionRow).where(VersionRow.evaluation_id == evaluation_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def versions_on_datasets(session: AsyncSession, dataset_version_ids: list[UUID]) -> list[VersionRow]:
    """Model versions trained on any of `dataset_version_ids`."""
    stmt = sa.select(VersionRow).where(VersionRow.dataset_version_id.in_(dataset_version_ids))
    return list((await session.execute(stmt.order_by(VersionRow.version))).scalars().all())


async def get_version(session: AsyncSession, version_id: UUID) -> VersionRow | None:
    return await session.get(VersionRow, version_id)


async def version_of(session: AsyncSession, model_id: UUID, number: int) -> VersionRow | None:
    stmt = sa.select(VersionRow).where(VersionRow.model_id == model_id, VersionRow.version == number)
    return (await session.execute(stmt)).scalar_one_or_none()


async def load(session: AsyncSession, row: ModelRow) -> Loaded:
    versions = list(
        (
            await session.execute(
                sa.select(VersionRow).where(VersionRow.model_id == row.id).order_by(VersionRow.version)
            )
        ).scalars()
    )
    ids = [v.id for v in versions]
    changes: dict[UUID, list[StageChangeRow]] = {i: [] for i in ids}
    if ids:
        stmt = sa.select(StageChangeRow).where(StageChangeRow.version_id.in_(ids)).order_by(StageChangeRow.at)
        for change in (await session.execute(stmt)).scalars():
            changes[change.version_id].append(change)
    alias_rows = (await session.execute(sa.select(AliasRow).where(AliasRow.model_id == row.id))).scalars()
    number_of = {v.id: v.version for v in versions}
    model = RegisteredModel(
        name=row.name,
        policy=policy_of(row),
        versions={v.version: _domain_version(v, changes[v.id]) for v in versions},
        aliases={a.alias: number_of[a.version_id] for a in alias_rows},
    )
    return Loaded(row, model, {v.version: v for v in versions}, {v.version: len(changes[v.id]) for v in versions})


async def save(session: AsyncSession, loaded: Loaded) -> None:
    """Writes stage changes, new history entries and aliases made by the aggregate since `load`."""
    now = utcnow()
    for number, mv in loaded.model.versions.items():
        if number not in loaded.versions:
            loaded.versions[number] = _new_version_row(loaded.row.id, mv, now)
            loaded.history_len[number] = 0
            session.add(loaded.versions[number])
    await session.flush()  # no ORM relationship orders these inserts: versions must exist before their history
    for number, mv in loaded.model.versions.items():
        row = loaded.versions[number]
        if row.stage != mv.stage.value:
            row.stage = mv.stage.value
            row.updated_at = now
        row.evaluation = _evaluation_json(mv.evaluation)
        row.review = _review_json(mv.review)
        row.reviews = [_review_dict(r) for r in mv.reviews]
        for change in mv.history[loaded.history_len[number] :]:
            session.add(
                StageChangeRow(
                    version_id=row.id,
                    from_stage=change.from_stage.value if change.from_stage else None,
                    to_stage=change.to_stage.value,
                    at=change.at,
                    actor=change.actor,
                    reason=change.reason,
                )
            )
        loaded.history_len[number] = len(mv.history)
    loaded.model.journal.clear()
    await session.flush()
    await session.execute(sa.delete(AliasRow).where(AliasRow.model_id == loaded.row.id))
    for alias, number in loaded.model.aliases.items():
        session.add(AliasRow(model_id=loaded.row.id, alias=alias, version_id=loaded.versions[number].id))
    await session.flush()


def unsaved_changes(loaded: Loaded) -> list[tuple[int, StageChange]]:
    """Stage changes made since `load`, in the order the rules made them."""
    return list(loaded.model.journal)


async def stage_history(session: AsyncSession, version_id: UUID) -> list[StageChangeRow]:
    stmt = sa.select(StageChangeRow).where(StageChangeRow.version_id == version_id).order_by(StageChangeRow.at)
    return list((await session.execute(stmt)).scalars())


def policy_of(row: ModelRow) -> ModelPolicy:
    p = row.policy
    return ModelPolicy(
        human_review_required=bool(p.get("human_review_required", False)),
        auto_rollback=bool(p.get("auto_rollback", True)),
        log_prompts=bool(p.get("log_prompts", False)),
        review_min_reviewers=int(p.get("review_min_reviewers", 1)),
        review_min_agreement=float(p.get("review_min_agreement", 1.0)),
    )


def evaluation_of(row: VersionRow) -> EvaluationSummary | None:
    e = row.evaluation
    if e is None:
        return None
    return EvaluationSummary(
        evaluation_id=e["evaluation_id"],
        passed=e["passed"],
        reasons=tuple(e.get("reasons", ())),
        metrics_base=e.get("metrics_base", {}),
        metrics_tuned=e.get("metrics_tuned", {}),
        forgetting=e.get("forgetting", {}),
        review_required=e.get("review_required", False),
    )


def review_of(row: VersionRow) -> HumanReview | None:
    """The latest verdict."""
    return _review(row.review) if row.review is not None else None


def reviews_of(row: VersionRow) -> list[HumanReview]:
    """One verdict per reviewer, in the order given (versions stored before migration 0007 carry `review` only)."""
    if row.reviews:
        return [_review(r) for r in row.reviews]
    return [_review(row.review)] if row.review is not None else []


def _review(r: dict[str, Any]) -> HumanReview:
    return HumanReview(r["reviewer"], r["approved"], datetime.fromisoformat(r["at"]), r.get("comment", ""))


def lineage_of(row: VersionRow, usecase_id: UUID | None) -> Lineage:
    return Lineage(
        base_model=row.base_model,
        adapter_uri=row.adapter_uri,
        usecase_id=str(usecase_id) if usecase_id else None,
        job_id=str(row.job_id) if row.job_id else None,
        dataset_version_id=str(row.dataset_version_id) if row.dataset_version_id else None,
        method=row.method,
        hyperparameters=row.hyperparameters,
    )


def _domain_version(row: VersionRow, changes: list[StageChangeRow]) -> ModelVersion:
    return ModelVersion(
        version=row.version,
        lineage=lineage_of(row, None),
        stage=Stage(row.stage),
        evaluation=evaluation_of(row),
        reviews=reviews_of(row),
        history=[
            StageChange(Stage(c.from_stage) if c.from_stage else None, Stage(c.to_stage), c.at, c.actor, c.reason)
            for c in changes
        ],
    )


def _new_version_row(model_id: UUID, mv: ModelVersion, now: datetime) -> VersionRow:
    lin = mv.lineage
    return VersionRow(
        model_id=model_id,
        version=mv.version,
        stage=mv.stage.value,
        base_model=lin.base_model,
        adapter_uri=lin.adapter_uri,
        method=lin.method,
        job_id=UUID(lin.job_id) if lin.job_id else None,
        dataset_version_id=UUID(lin.dataset_version_id) if lin.dataset_version_id else None,
        evaluation_id=UUID(mv.evaluation.evaluation_id) if mv.evaluation else None,
        hyperparameters=dict(lin.hyperparameters),
        created_at=now,
        updated_at=now,
    )


def _evaluation_json(e: EvaluationSummary | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "evaluation_id": e.evaluation_id,
        "passed": e.passed,
        "reasons": list(e.reasons),
        "metrics_base": dict(e.metrics_base),
        "metrics_tuned": dict(e.metrics_tuned),
        "forgetting": dict(e.forgetting),
        "review_required": e.review_required,
    }


def _review_json(r: HumanReview | None) -> dict[str, Any] | None:
    return None if r is None else _review_dict(r)


def _review_dict(r: HumanReview) -> dict[str, Any]:
    return {"reviewer": r.reviewer, "approved": r.approved, "at": r.at.isoformat(), "comment": r.comment}
