"""REST: optimisation recommendations for a served model, from its traffic, drift and quality; the model's team's
alone (tuneline.monitoring.models.access): another team's caller is refused (403, audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tuneline.common.app import SessionDep
from tuneline.common.auth import CurrentUser
from tuneline.common.errors import NotFound
from tuneline.monitoring.drift import repository as drift_repository
from tuneline.monitoring.drift.report import DriftCheck, DriftCheckName, DriftReport
from tuneline.monitoring.models import access
from tuneline.monitoring.quality import service as quality_service
from tuneline.monitoring.recommendations.advisor import Capacity, ModelHealth, Objectives, recommend
from tuneline.monitoring.retraining.policy import DatasetVersion
from tuneline.monitoring.rollups import repository as rollup_repository
from tuneline.monitoring.rollups.rollup import RollupKey, merge_window

router = APIRouter(prefix="/recommendations", tags=["recommendations"])


class RecommendationOut(BaseModel):
    action: str
    reason: str
    expected_improvement: str
    evidence: dict[str, Any]
    estimated_cost_per_hour: float | None


def _report(row: Any) -> DriftReport:
    checks = tuple(
        DriftCheck(
            name=DriftCheckName(c["name"]),
            method=c["method"],
            drifted=c["drifted"],
            n_reference=c["n_reference"],
            n_live=c["n_live"],
            statistic=c["statistic"],
            threshold=c["threshold"],
            p_value=c["p_value"],
            alpha=c["alpha"],
            skipped_reason=c["skipped_reason"],
            details=c["details"],
        )
        for c in row.checks
    )
    return DriftReport(row.model_name, row.version, str(row.usecase_id), row.window_start, row.window_end, checks)


@router.get("/models/{model}", response_model=list[RecommendationOut], summary="What to do about a model")
async def for_model(
    model: str,
    session: SessionDep,
    user: CurrentUser,
    window_minutes: Annotated[float, Query(ge=0.1, le=1440, description="The window read, in minutes.")] = 60,
    replicas: Annotated[int | None, Query(ge=1, description="Current replicas, for scaling advice.")] = None,
    max_concurrent_per_replica: Annotated[int, Query(ge=1)] = 8,
    replica_cost_per_hour: float | None = None,
    latency_p95_slo_ms: Annotated[float, Query(gt=0)] = 2000.0,
    accuracy_target: Annotated[float | None, Query(gt=0, le=1)] = None,
) -> list[RecommendationOut]:
    row = await access.ensure_model(session, user, model, "read the recommendations for")
    if row is None or row.stable_version is None:
        raise NotFound(f"model {model!r} has no stable deployment known to monitoring", field="model")
    now = datetime.now(UTC)
    start = now - timedelta(minutes=window_minutes)
    key = RollupKey(model, row.stable_version, "stable")
    rollups = await rollup_repository.load_rollups(session, start, now, model=model)
    traffic = merge_window(rollups, RollupKey(model, "*", "*"), start, now).summary()
    report_row = await drift_repository.latest_report(session, model)
    newest = await drift_repository.newest_reference(session, row.usecase_id)
    trained = await drift_repository.newest_reference(session, row.usecase_id, ready_before=row.deployed_at)
    health = ModelHealth(
        traffic=traffic,
        window_seconds=window_minutes * 60,
        capacity=Capacity(replicas, max_concurrent_per_replica, replica_cost_per_hour=replica_cost_per_hour)
        if replicas
        else None,
        drift=_report(report_row) if report_row else None,
        quality=await quality_service.trend_for(session, key, now),
        newest_dataset=DatasetVersion(str(newest.dataset_id), str(newest.version_id), newest.ready_at)
        if newest
        else None,
        trained_on=DatasetVersion(str(trained.dataset_id), str(trained.version_id), trained.ready_at)
        if trained
        else None,
    )
    objectives = Objectives(latency_p95_slo_ms=latency_p95_slo_ms, accuracy_target=accuracy_target)
    return [RecommendationOut(**r.to_dict()) for r in recommend(health, objectives)]
