"""REST routes for hyperparameter studies: parse, authorise, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import KNOWN_ROLES, scope_of
from tuneline.common.app import SessionDep, StateDep
from tuneline.common.auth import Principal, Role, require_roles
from tuneline.training.jobs.tables import TrainingJob
from tuneline.training.settings import TrainingSettings
from tuneline.training.studies import budget, repository, service
from tuneline.training.studies.context import studies_context
from tuneline.training.studies.optuna_repository import StudyStorage, TrialRecord
from tuneline.training.studies.schemas import (
    CreateStudyRequest,
    CurvePoint,
    PruningOptions,
    SearchRange,
    StudyResponse,
    StudySummary,
    TrialResponse,
)
from tuneline.training.studies.tables import TrainingStudy

router = APIRouter(prefix="/studies", tags=["studies"])
MlEngineer = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))]
#: Any role Tuneline knows; which studies it may see is its team's business (tuneline.training.studies.access).
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]
Status = Annotated[str | None, Query(pattern="^(running|succeeded|failed|cancelled)$")]


def _storage(state: StateDep) -> StudyStorage:
    return studies_context(state).storage


StorageDep = Annotated[StudyStorage, Depends(_storage)]


@router.post("", status_code=201, summary="Start a hyperparameter study: its trials are training jobs in the queue")
async def create_study(
    body: CreateStudyRequest, session: SessionDep, state: StateDep, storage: StorageDep, user: MlEngineer
) -> StudyResponse:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    study = await service.create_study(session, settings, storage, body, actor=user)
    return await study_response(session, storage, study)


@router.get("", summary="Studies, newest first (optionally of one use case or status)")
async def list_studies(
    session: SessionDep,
    user: Member,
    usecase_id: UUID | None = None,
    status: Status = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[StudySummary]:
    studies = await repository.list_studies(
        session, scope=scope_of(user), usecase_id=usecase_id, status=status, limit=limit, offset=offset
    )
    started = await repository.trials_started(session, [s.id for s in studies])
    return [StudySummary(**_summary_fields(s), trials_started=started.get(s.id, 0)) for s in studies]


@router.get("/{study_id}", summary="One study: its trials with their parameters, state and validation-loss curve")
async def get_study(study_id: UUID, session: SessionDep, storage: StorageDep, user: Member) -> StudyResponse:
    return await study_response(session, storage, await service.get_study(session, user, study_id))


@router.post("/{study_id}/cancel", summary="Cancel: no more trials, running ones stop; nothing is evaluated")
async def cancel_study(
    study_id: UUID, session: SessionDep, state: StateDep, storage: StorageDep, user: MlEngineer
) -> StudyResponse:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    study = await service.cancel_study(session, settings, storage, study_id, user)
    return await study_response(session, storage, study)


# ------------------------------------------------------------------------------------------------ answers


def _summary_fields(study: TrainingStudy) -> dict[str, object]:
    names = set(StudySummary.model_fields) - {"trials_started"}
    return {name: getattr(study, name) for name in names}


async def study_response(session: AsyncSession, storage: StudyStorage, study: TrainingStudy) -> StudyResponse:
    jobs = await repository.trial_jobs(session, study.id)
    by_number = {j.trial_number: j for j in jobs}
    trials = [_trial(t, by_number.get(t.number)) for t in await storage.trials(str(study.id))]
    best = next((t for t in trials if t.number == study.best_trial_number), None)
    return StudyResponse(
        **_summary_fields(study),
        trials_started=len(jobs),
        validation_dataset_version_id=study.validation_dataset_version_id,
        base_model=study.base_model,
        method=study.method,
        hyperparameters=study.hyperparameters,
        search_space={name: SearchRange.model_validate(r) for name, r in study.search_space.items()},
        pruning=PruningOptions.model_validate(study.pruning),
        cost_usd=budget.committed_cost(jobs),
        trials=trials,
        best_trial=best,
    )


def _trial(trial: TrialRecord, job: TrainingJob | None) -> TrialResponse:
    measured = budget.measured_cost(job) if job is not None else None
    return TrialResponse(
        number=trial.number,
        state=service.state_of(trial, job),
        job_id=job.id if job else None,
        job_status=job.status if job else None,
        stop_reason=job.stop_reason if job else None,
        params=trial.params,
        value=trial.value,
        curve=[CurvePoint(step=step, val_loss=loss) for step, loss in trial.curve],
        estimated_cost_usd=budget.estimated_cost(job) if job else None,
        cost_usd=measured,
        note=trial.note,
        started_at=job.started_at if job else trial.started_at,
        finished_at=job.finished_at if job else trial.finished_at,
    )
